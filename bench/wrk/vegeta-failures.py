"""Reads `vegeta report -type=json` and prints how many requests did not get a 2xx: "N of M",
followed by their status codes when there are any ("57 of 100000: 57 x 0"; vegeta records a
request that got no answer at all, e.g. a refused or timed-out connection, as status 0). The
distinct error messages vegeta kept go to stderr, into the benchmark's log."""
import json
import sys

report = json.load(sys.stdin)
codes = report.get("status_codes") or {}
ok = sum(count for code, count in codes.items() if code.startswith("2"))
failed = report["requests"] - ok
line = "%d of %d" % (failed, report["requests"])
if failed:
    line += ": " + ", ".join("%d x %s" % (count, code) for code, count in sorted(codes.items())
                             if not code.startswith("2"))
print(line)
for error in report.get("errors") or []:
    print("vegeta error: %s" % error, file=sys.stderr)
