#!/usr/bin/env bash
# Runs the Rego tests under POLICY_DIR and checks coverage: `opa check --strict`, `opa test`, then
# the coverage of every policy file, failing under the threshold (90 % unless
# PORTCULLIS_REGO_COVERAGE_MIN says otherwise). The last line is the summary.
# Usage: opa-test.sh OPA_BINARY POLICY_DIR
set -o errexit -o nounset -o pipefail
opa="$1" dir="$2" min="${PORTCULLIS_REGO_COVERAGE_MIN:-90}"

"$opa" check --strict "$dir"
"$opa" test "$dir"
"$opa" test --coverage --format=json "$dir" | python3 -c '
import json, sys
minimum = float(sys.argv[1])
report = json.load(sys.stdin)
files = report.get("files", {})
low = []
for name, f in sorted(files.items()):
    if name.endswith("_test.rego"):
        continue
    covered = len(f.get("covered", []) or [])
    not_covered = len(f.get("not_covered", []) or [])
    pct = f.get("coverage", 0.0)
    print(f"  {pct:6.1f}%  {name}")
    if pct < minimum:
        low.append(name)
total = report.get("coverage", 0.0)
if low:
    print(f"coverage below {minimum:.0f}% in: " + ", ".join(low))
    sys.exit(1)
if total < minimum:
    print(f"opa test: total coverage {total:.1f}% is below {minimum:.0f}%")
    sys.exit(1)
print(f"opa test: all Rego tests passed, coverage {total:.1f}% (minimum {minimum:.0f}%)")
' "$min"
