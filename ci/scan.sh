#!/usr/bin/env bash
# ci/scan.sh: the Portcullis scan stage for any CI system (the GitHub and GitLab templates call it).
#
#   ci/scan.sh [extra `portcullis scan` options...]
#
# Configured by environment variables (all optional but the data source):
#   PORTCULLIS_CLI          how to run the CLI: a jar path (run with java -jar) or a command
#                           (default: bin/portcullis of this checkout, else `portcullis` on the PATH)
#   SCAN_PROJECT            the Maven project folder (default: .)
#   SCAN_TERRAFORM          space-separated Terraform folders (default: none)
#   SCAN_FAIL_ON            low | medium | high | critical | a CVSS score (default: high)
#   SCAN_REPORT_DIR         where the reports go (default: portcullis-scan)
#   SCAN_SUPPRESSIONS       suppressions file (default: ci/suppressions.json when it exists)
#   SCAN_DATA_DIR           Dependency-Check's data directory: CACHE IT between runs
#                           (default: ~/.cache/portcullis/scan/dependency-check-data)
#   Data source, one of:
#   NVD_API_KEY             connected runners: the NVD API key (read from the environment only)
#   SCAN_NVD_MIRROR_URL + SCAN_KEV_URL   air-gapped runners: a feed mirror and a KEV catalog mirror
#   SCAN_NO_UPDATE=1        use the cached data directory as it is
#   Tools (else found on the PATH): PORTCULLIS_OPA, PORTCULLIS_CHECKOV, PORTCULLIS_HCL2JSON,
#   PORTCULLIS_MAVEN; SCAN_NO_CHECKOV=1 skips Checkov.
#
# Exit codes (those of `portcullis scan`): 0 the gate passed, 1 it failed, 2 the scan could not run.
set -o errexit -o nounset -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

cli=()
if [[ -n "${PORTCULLIS_CLI:-}" ]]; then
  if [[ "$PORTCULLIS_CLI" == *.jar ]]; then cli=(java -jar "$PORTCULLIS_CLI"); else read -r -a cli <<<"$PORTCULLIS_CLI"; fi
elif [[ -x "$root/bin/portcullis" ]]; then
  cli=("$root/bin/portcullis")
elif command -v portcullis >/dev/null 2>&1; then
  cli=(portcullis)
else
  echo "ci/scan.sh: no Portcullis CLI: set PORTCULLIS_CLI to the jar or command" >&2
  exit 2
fi

args=(scan --project "${SCAN_PROJECT:-.}" --fail-on "${SCAN_FAIL_ON:-high}" --report-dir "${SCAN_REPORT_DIR:-portcullis-scan}")
[[ -n "${SCAN_DATA_DIR:-}" ]] && args+=(--data-dir "$SCAN_DATA_DIR")
for dir in ${SCAN_TERRAFORM:-}; do args+=(--terraform "$dir"); done
if [[ -n "${SCAN_SUPPRESSIONS:-}" ]]; then
  args+=(--suppressions "$SCAN_SUPPRESSIONS")
elif [[ -f ci/suppressions.json ]]; then
  args+=(--suppressions ci/suppressions.json)
fi
[[ "${SCAN_NO_CHECKOV:-0}" == 1 ]] && args+=(--no-checkov)

if [[ -n "${SCAN_NVD_MIRROR_URL:-}" ]]; then
  [[ -n "${SCAN_KEV_URL:-}" ]] || { echo "ci/scan.sh: SCAN_NVD_MIRROR_URL needs SCAN_KEV_URL (the KEV catalog mirror)" >&2; exit 2; }
  args+=(--nvd-datafeed-url "$SCAN_NVD_MIRROR_URL" --known-exploited-url "$SCAN_KEV_URL")
elif [[ "${SCAN_NO_UPDATE:-0}" == 1 ]]; then
  args+=(--no-update)
elif [[ -n "${NVD_API_KEY:-}" ]]; then
  args+=(--nvd-api-key-env NVD_API_KEY)
else
  echo "ci/scan.sh: no vulnerability data source: set NVD_API_KEY, SCAN_NVD_MIRROR_URL + SCAN_KEV_URL, or SCAN_NO_UPDATE=1" >&2
  exit 2
fi

set +o errexit
"${cli[@]}" "${args[@]}" "$@"
status=$?
set -o errexit
# CI systems show this file on the job page; it is the human-readable verdict.
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "${SCAN_REPORT_DIR:-portcullis-scan}/portcullis-scan.md" ]]; then
  cat "${SCAN_REPORT_DIR:-portcullis-scan}/portcullis-scan.md" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
