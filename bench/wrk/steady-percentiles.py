"""Reads `vegeta encode --to csv` and prints "p50 / p99 / p99.9 ms" of the requests sent from
SKIP seconds after the attack's first request on (argument 1, default 5).

Why: vegeta opens a new connection whenever all its open ones are busy, so its first second
against a TLS listener is a burst of full handshakes (OPA alone, over plain HTTP, has none). The
whole-phase percentiles mix that burst with the steady state; these leave it out, for every target
alike, so the two can be told apart. Exact percentiles (nearest rank) over the raw latencies.
"""
import csv
import math
import sys

skip_ns = float(sys.argv[1] if len(sys.argv) > 1 else 5) * 1e9
rows = [(int(r[0]), int(r[2])) for r in csv.reader(sys.stdin) if r]
if not rows:
    print("n/a")
    sys.exit(0)
start = min(t for t, _ in rows)
latencies = sorted(lat for t, lat in rows if t - start >= skip_ns)
if not latencies:
    print("n/a")
    sys.exit(0)


def percentile(q):
    """Nearest rank: the smallest latency with at least q of all at or below it, in ms."""
    rank = max(1, math.ceil(q * len(latencies)))
    return latencies[rank - 1] / 1e6


print("%.2f / %.2f / %.2f ms" % (percentile(0.5), percentile(0.99), percentile(0.999)))
