#!/usr/bin/env bash
# bin/lib/scan-self.sh: the scan stage on Portcullis itself (dogfooding), failing on high.
#
#   bin/lib/scan-self.sh [extra `portcullis scan` options...]
#
# Scans this repository's Maven reactor (Dependency-Check + CycloneDX SBOM) and its Terraform
# modules (Portcullis IaC rules + Checkov) through the policies/ci gate with --fail-on high,
# against a local NVD feed mirror served on 127.0.0.1:
#   - by default the fixture mirror built from scan/src/test/resources/nvd-mirror (the real NVD
#     records of the Log4Shell family; this machine cannot reach the NVD), so the run proves the
#     whole stage works on Portcullis and that none of those CVEs is in its dependencies, not that
#     Portcullis is free of every CVE;
#   - or a full mirror, when SCAN_NVD_MIRROR_URL and SCAN_KEV_URL name one.
# The Dependency-Check data directory is kept warm in the per-user cache. Reports go to
# .portcullis/scan-self/. Exit codes: 0 gate passed, 1 gate failed, 2 could not run.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$PORTCULLIS_ROOT/bin/lib/versions.sh"
source "$PORTCULLIS_ROOT/bin/lib/tools.sh"
source "$PORTCULLIS_ROOT/bin/lib/scan-tools.sh"

select_jdk
ensure_scan_tools

report_dir="$PORTCULLIS_STATE_ROOT/scan-self"
mirror_dir="$PORTCULLIS_CACHE/scan/fixture-nvd-mirror"
data_dir="$PORTCULLIS_CACHE/scan/dependency-check-data-fixture-mirror"
server_pid=''

cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n "${SCAN_NVD_MIRROR_URL:-}" ]]; then
  [[ -n "${SCAN_KEV_URL:-}" ]] || die "SCAN_NVD_MIRROR_URL needs SCAN_KEV_URL (the KEV catalog mirror)" 2
  feed_url="$SCAN_NVD_MIRROR_URL" kev_url="$SCAN_KEV_URL"
  data_dir="$PORTCULLIS_CACHE/scan/dependency-check-data"
else
  step "Building the fixture NVD mirror (deterministic: an unchanged mirror keeps the data warm)"
  records="$PORTCULLIS_ROOT/scan/src/test/resources/nvd-mirror"
  python3 "$PORTCULLIS_ROOT/ci/nvd-mirror/build-mirror.py" --records "$records/records" \
    --kev "$records/kev/known_exploited_vulnerabilities.json" --out "$mirror_dir" >&2
  # A static file server on a free 127.0.0.1 port; it writes the port once it listens.
  port_file="$(mktemp)"
  python3 - "$mirror_dir" "$port_file" <<'PY' >/dev/null 2>&1 &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.log_message = lambda *a: None
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
PY
  server_pid=$!
  for _ in $(seq 1 50); do [[ -s "$port_file" ]] && break; sleep 0.1; done
  [[ -s "$port_file" ]] || die "the mirror server did not start" 2
  port="$(<"$port_file")"; rm -f "$port_file"
  feed_url="http://127.0.0.1:$port/" kev_url="http://127.0.0.1:$port/known_exploited_vulnerabilities.json"
  ok "mirror at $feed_url"
fi

suppressions=()
[[ -f "$PORTCULLIS_ROOT/ci/suppressions.json" ]] && suppressions=(--suppressions "$PORTCULLIS_ROOT/ci/suppressions.json")

step "Scanning Portcullis (fail on high)"
mapfile -t tool_options < <(scan_tool_options)
set +o errexit
"$PORTCULLIS_ROOT/bin/portcullis" scan --project "$PORTCULLIS_ROOT" --terraform "$PORTCULLIS_ROOT/terraform/modules" \
  --fail-on high --report-dir "$report_dir" --data-dir "$data_dir" --maven "$PORTCULLIS_ROOT/mvnw" \
  --nvd-datafeed-url "$feed_url" --known-exploited-url "$kev_url" \
  "${tool_options[@]}" "${suppressions[@]}" "$@"
status=$?
set -o errexit
case "$status" in
  0) ok "scan-self: the gate passed; reports in $report_dir" ;;
  1) warn "scan-self: the gate failed; see $report_dir/portcullis-scan.md" ;;
  *) warn "scan-self: the scan could not run (exit $status); see $report_dir" ;;
esac
exit "$status"
