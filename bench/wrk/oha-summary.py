"""Summarizes one oha run for bin/bench: reads oha's JSON report (--output-format json) and its
per-request records (--db-url, SQLite), and prints, tab-separated:

- the latency percentiles of the whole run as "p50 / p99 / p99.9 ms";
- the same without the first SKIP seconds (argument, default 5): oha opens its connections, each
  with a TLS handshake, in the first second, and with latency correction the requests due while
  they open count that wait (p99 over 200 ms in second 0 where the rest of the run is a few ms);
  this is the figure comparable with vegeta's steady-percentiles.py;
- how many requests did not get a 2xx as "N of M", with their status codes and oha's error
  messages when there are any ("3 of 100000: 2 x 503, 1 x connection refused").

Latencies are oha's corrected ones: from when a request was due (start_latency_correction) to
its end, so a request held back because every connection was busy counts its wait."""
import json
import sqlite3
import sys

report_path, db_path = sys.argv[1], sys.argv[2]
skip = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0

with open(report_path) as f:
    report = json.load(f)
codes = report.get("statusCodeDistribution") or {}
errors = report.get("errorDistribution") or {}
ok = sum(count for code, count in codes.items() if code.startswith("2"))
total = sum(codes.values()) + sum(errors.values())
failed = total - ok
failures = "%d of %d" % (failed, total)
if failed:
    parts = ["%d x %s" % (count, code) for code, count in sorted(codes.items()) if not code.startswith("2")]
    parts += ["%d x %s" % (count, error) for error, count in sorted(errors.items())]
    failures += ": " + ", ".join(parts)

with sqlite3.connect(db_path) as db:
    rows = db.execute("SELECT COALESCE(start_latency_correction, start), end FROM oha").fetchall()
if not rows:
    sys.exit("oha recorded no request in " + db_path)
first = min(due for due, _ in rows)


def percentiles(latencies):
    if not latencies:
        return "n/a"
    latencies = sorted(latencies)
    picks = [latencies[min(len(latencies) - 1, int(q * len(latencies)))] for q in (0.5, 0.99, 0.999)]
    return " / ".join("%.2f" % (ms) for ms in picks) + " ms"


whole = [(end - due) * 1000 for due, end in rows]
steady = [(end - due) * 1000 for due, end in rows if due - first >= skip]
print("%s\t%s\t%s" % (percentiles(whole), percentiles(steady), failures))
