"""Reads `vegeta report -type=hdrplot` and prints "p50 / p99 / p99.9 ms"."""
import sys

wanted = {0.5: None, 0.99: None, 0.999: None}
for line in sys.stdin:
    parts = line.split()
    if len(parts) < 2:
        continue
    try:
        value, percentile = float(parts[0]), float(parts[1])
    except ValueError:
        continue
    for p in wanted:
        if wanted[p] is None and percentile >= p:
            wanted[p] = value
print(" / ".join("n/a" if v is None else "%.2f" % v for v in wanted.values()) + " ms")
