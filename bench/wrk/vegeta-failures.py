"""Reads `vegeta report -type=json` and prints how many requests did not get a 2xx: "N of M"."""
import json
import sys

report = json.load(sys.stdin)
codes = report.get("status_codes") or {}
ok = sum(count for code, count in codes.items() if code.startswith("2"))
print("%d of %d" % (report["requests"] - ok, report["requests"]))
