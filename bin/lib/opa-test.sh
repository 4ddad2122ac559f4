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
lines_covered = lines_total = 0
for name, f in sorted(files.items()):
    if name.endswith("_test.rego"):
        continue
    pct = f.get("coverage", 0.0)
    lines_covered += sum(r["end"]["row"] - r["start"]["row"] + 1 for r in f.get("covered", []) or [])
    lines_total += sum(r["end"]["row"] - r["start"]["row"] + 1
                       for key in ("covered", "not_covered") for r in f.get(key, []) or [])
    print(f"  {pct:6.1f}%  {name}")
    if pct < minimum:
        low.append(name)
if lines_total == 0:
    print("opa test: no policy lines were evaluated; are there any tests?")
    sys.exit(1)
total = 100.0 * lines_covered / lines_total
if low:
    print(f"coverage below {minimum:.0f}% in: " + ", ".join(low))
    sys.exit(1)
if total < minimum:
    print(f"opa test: total coverage {total:.1f}% is below {minimum:.0f}%")
    sys.exit(1)
print(f"opa test: all Rego tests passed, coverage {total:.1f}% (minimum {minimum:.0f}%)")
' "$min"
