#!/usr/bin/env bash
# terraform-check.sh: the static checks of Portcullis' Terraform code (issue 9), as bin/test runs them.
#
#   bin/lib/terraform-check.sh [--exclude RELPATH]... DIR
#
# Runs every check over DIR (all of them, even after one fails, so that one run names every problem):
#   1. parse     every .tf, .tfvars and .hcl file parses as HCL2 (hcl2json: hashicorp/hcl/v2, the
#                parser Terraform itself uses)
#   2. fmt       formatting is canonical (tofu fmt -check)
#   3. checkov   Checkov passes; every `checkov:skip=` carries a written reason
#   4. rego      the Portcullis rules of policies/terraform find nothing (OPA over the JSON form)
# --exclude skips a folder below DIR (e.g. tests, whose fixtures are meant to fail).
# Every finding names the check, the file and, where there is one, the resource and the rule.
# Exit codes: 0 every check passed, 1 a check failed, 2 could not run.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$PORTCULLIS_ROOT/bin/lib/versions.sh"
source "$PORTCULLIS_ROOT/bin/lib/tools.sh"
source "$PORTCULLIS_ROOT/bin/lib/terraform-tools.sh"
# Checkov and hcl2json are the scan stage's tools (bin/lib/scan-tools.sh owns their provisioning).
source "$PORTCULLIS_ROOT/bin/lib/scan-tools.sh"

usage() { sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

excludes=()
dir=''
while (( $# )); do
  case "$1" in
    --exclude) [[ $# -ge 2 ]] || die "--exclude needs a folder (see --help)" 2; excludes+=("${2%/}"); shift ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" 2 ;;
    *) [[ -z "$dir" ]] || die "only one folder, please (see --help)" 2; dir="$1" ;;
  esac
  shift
done
[[ -n "$dir" ]] || { usage >&2; exit 2; }
[[ -d "$dir" ]] || die "no such folder: $dir" 2
dir="$(cd "$dir" && pwd)"

ensure_tofu
tf_cli_config
export TF_CLI_CONFIG_FILE="$TF_CLI_CONFIG" CHECKPOINT_DISABLE=1
ensure_hcl2json
ensure_checkov
ensure_opa

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The files to check, relative to DIR, outside .terraform/ and the excluded folders.
find_args=(-name .terraform -prune -o)
for e in "${excludes[@]}"; do find_args+=(-path "./$e" -prune -o); done
(cd "$dir" && find . "${find_args[@]}" -type f \( -name '*.tf' -o -name '*.tfvars' -o -name '*.hcl' \) \
    ! -name '.terraform.lock.hcl' -print | sed 's|^\./||' | LC_ALL=C sort) >"$work/files"
[[ -s "$work/files" ]] || die "no Terraform files under $dir" 2

failed=()
report() { printf '    %s\n' "$@"; }

# --- 1. parse ------------------------------------------------------------------------------------
step "parse: every file is HCL2 ($(wc -l <"$work/files") files)"
mkdir -p "$work/json"
parse_ok=1
while IFS= read -r file; do
  out="$work/json/$(printf '%s' "$file" | tr '/' '%').json"
  if ! "$HCL2JSON_BIN" "$dir/$file" >"$out" 2>"$work/err"; then
    parse_ok=0
    rm -f "$out"
    echo "$file" >>"$work/unparsed"
    report "parse: $file: $(head -c 400 "$work/err" | tr '\n' ' ')"
  fi
done <"$work/files"
(( parse_ok )) && ok "every file parses" || failed+=(parse)

# --- 2. fmt --------------------------------------------------------------------------------------
step "fmt: canonical formatting (tofu fmt -check)"
# Files that did not parse are reported above; fmt cannot say more about them.
mapfile -t tf_files < <(grep -E '\.(tf|tfvars)$' "$work/files" | grep -vxF -f <(cat "$work/unparsed" 2>/dev/null) || true)
if (( ${#tf_files[@]} )); then
  if (cd "$dir" && "$TOFU_BIN" fmt -check -list=true "${tf_files[@]}") >"$work/fmt" 2>"$work/fmt.err"; then
    ok "formatting is canonical"
  else
    while IFS= read -r line; do [[ -n "$line" ]] && report "fmt: $line is not formatted canonically (run: tofu fmt $line)"; done <"$work/fmt"
    [[ -s "$work/fmt.err" ]] && report "fmt: $(head -c 400 "$work/fmt.err" | tr '\n' ' ')"
    failed+=(fmt)
  fi
fi

# --- 3. checkov ----------------------------------------------------------------------------------
step "checkov: Checkov $CHECKOV_VERSION, Terraform checks"
# A skip must say why: `checkov:skip=CKV_ID:reason`, with a non-empty reason.
unreasoned="$(cd "$dir" && grep -HnE -e 'checkov:skip=[A-Z0-9_]+[[:space:]]*($|[^:A-Z0-9_])' \
  -e 'checkov:skip=[A-Z0-9_]+:[[:space:]]*$' $(cat "$work/files") 2>/dev/null || true)"
if [[ -n "$unreasoned" ]]; then
  while IFS= read -r line; do report "checkov: skip without a written reason: $line"; done <<<"$unreasoned"
  failed+=(checkov-skip-reason)
fi
checkov_args=(-d "$dir" --framework terraform --quiet --compact --skip-download --output cli)
for e in "${excludes[@]}"; do checkov_args+=(--skip-path "$e"); done
# No network: no platform download, no telemetry, no version check.
checkov_rc=0
BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false "$CHECKOV_BIN" "${checkov_args[@]}" >"$work/checkov" 2>&1 \
  || checkov_rc=$?
case "$checkov_rc" in
  0) ok "$(grep -m1 'Passed checks' "$work/checkov" || echo 'no Terraform resources to check')" ;;
  1)
    python3 - "$work/checkov" "$dir" <<'PY'
import re, sys
text, root = open(sys.argv[1]).read(), sys.argv[2]
for m in re.finditer(r'Check: (\S+): "([^"]*)"\s+FAILED for resource: (\S+)\s+File: (\S+)', text):
    check, title, resource, file = m.groups()
    print(f"    checkov: {file.lstrip('/')}: {resource}: {check} {title}")
PY
    report "checkov: $(grep -m1 'Passed checks' "$work/checkov")"
    failed+=(checkov)
    ;;
  *) tail -n 20 "$work/checkov" >&2; die "Checkov could not run (exit $checkov_rc)" 2 ;;
esac

# --- 4. rego -------------------------------------------------------------------------------------
step "rego: policies/terraform (OPA $OPA_VERSION)"
# The input document of policies/terraform (see the header of policies/terraform/terraform.rego):
# every .tf/.tfvars file as kind terraform; every other .hcl file, and every policy written inline
# in a vault_policy resource, as kind vault_policy.
python3 - "$work/files" "$work/json" "$HCL2JSON_BIN" >"$work/input.json" <<'PY' || die "could not build the input of the Rego rules" 2
import json, os, subprocess, sys
files, json_dir, hcl2json = sys.argv[1], sys.argv[2], sys.argv[3]
out = []
for path in open(files).read().split("\n"):
    if not path:
        continue
    converted = os.path.join(json_dir, path.replace("/", "%") + ".json")
    if not os.path.exists(converted):
        continue  # did not parse: reported by the parse step
    config = json.load(open(converted))
    if path.endswith((".tf", ".tfvars")):
        out.append({"path": path, "kind": "terraform", "config": config})
        for name, blocks in config.get("resource", {}).get("vault_policy", {}).items():
            for block in blocks:
                text = block.get("policy")
                # file(...) references are checked as files; a literal policy is parsed here.
                if isinstance(text, str) and "${" not in text:
                    parsed = subprocess.run([hcl2json], input=text, capture_output=True, text=True)
                    if parsed.returncode == 0:
                        out.append({"path": path, "kind": "vault_policy",
                                    "resource": f"vault_policy.{name}", "config": json.loads(parsed.stdout)})
    else:
        out.append({"path": path, "kind": "vault_policy", "config": config})
json.dump({"files": out}, sys.stdout)
PY
if "$OPA_BIN" eval --format json --data "$PORTCULLIS_ROOT/policies/terraform" --ignore '*_test.rego' \
    --input "$work/input.json" 'data.portcullis.terraform.result' >"$work/rego.json" 2>"$work/rego.err"; then
  count="$(python3 - "$work/rego.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
results = doc.get("result") or []
if not results:
    print("undefined")
    sys.exit()
value = results[0]["expressions"][0]["value"]
for f in value["findings"]:
    print(f"    rego: {f['file']}: {f['resource']}: {f['rule']} ({f['severity']}): {f['message']}", file=sys.stderr)
print(value["count"])
PY
)"
  case "$count" in
    0) ok "no findings" ;;
    undefined) die "policies/terraform defines no data.portcullis.terraform.result" 2 ;;
    *) report "rego: $count finding(s)"; failed+=(rego) ;;
  esac
else
  cat "$work/rego.err" >&2
  die "OPA could not evaluate policies/terraform" 2
fi

if (( ${#failed[@]} )); then
  printf '%serror:%s Terraform static checks failed: %s\n' "$_c_red" "$_c_off" "${failed[*]}" >&2
  exit 1
fi
ok "Terraform static checks passed: parse, fmt, checkov, rego"
