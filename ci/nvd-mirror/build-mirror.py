#!/usr/bin/env python3
"""Builds an NVD JSON 2.0 data-feed mirror, in the layout OWASP Dependency-Check's datafeed
option reads, from a folder of NVD CVE API 2.0 records.

    build-mirror.py --records DIR --kev FILE --out DIR [--start-year 2002] [--end-year YYYY]

Writes, into --out:
  nvdcve-{year}.json.gz   one per year from --start-year to --end-year (grouped by the year in the
                          CVE id, as NVD's yearly feeds are); years without records hold an empty list
  nvdcve-{year}.meta      lastModifiedDate, size, gzSize and sha256 of the uncompressed feed, as NVD
                          publishes them
  nvdcve-modified.*       the "recently modified" feed that Dependency-Check reads last (empty here)
  known_exploited_vulnerabilities.json   the CISA KEV catalog given with --kev, unchanged

The output is deterministic (gzip without a timestamp, lastModifiedDate taken from the records),
so rebuilding the same records gives the same files, and a Dependency-Check data directory that
was filled from them stays warm. Dependency-Check is pointed at it with
-DnvdDatafeedUrl=http://HOST/PATH/ (the default file name pattern nvdcve-{0}.json.gz) and
-DknownExploitedUrl=http://HOST/PATH/known_exploited_vulnerabilities.json.

The default end year is the current year in UTC+14, the first time zone to start a new year:
Dependency-Check asks for that year's feed from then on. Standard library only.
"""
import argparse
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile

EPOCH_LAST_MODIFIED = "2002-01-01T00:00:00.000Z"


def fail(message):
    print(f"build-mirror: {message}", file=sys.stderr)
    sys.exit(2)


def load_records(records_dir):
    by_year = {}
    names = sorted(n for n in os.listdir(records_dir) if n.endswith(".json"))
    if not names:
        fail(f"no *.json records in {records_dir}")
    for name in names:
        path = os.path.join(records_dir, name)
        try:
            with open(path, encoding="utf-8") as f:
                record = json.load(f)
            cve_id = record["cve"]["id"]
            year = int(cve_id.split("-")[1])
            last_modified = record["cve"]["lastModified"]
        except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
            fail(f"{path} is not an NVD CVE API 2.0 record ({e.__class__.__name__}: {e})")
        by_year.setdefault(year, []).append((cve_id, last_modified, record))
    return by_year


def feed_document(items, timestamp):
    return {
        "resultsPerPage": len(items),
        "startIndex": 0,
        "totalResults": len(items),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": timestamp,
        "vulnerabilities": [record for _, _, record in sorted(items, key=lambda i: i[0])],
    }


def iso_utc(nvd_time):
    """NVD's lastModified has no zone and is UTC; the .meta file carries an offset."""
    if nvd_time.endswith("Z"):
        return nvd_time
    return nvd_time + "Z"


def write_feed(out_dir, name, items, last_modified=None):
    if last_modified is None:
        last_modified = max((iso_utc(lm) for _, lm, _ in items), default=EPOCH_LAST_MODIFIED)
    body = json.dumps(feed_document(items, last_modified.rstrip("Z")), indent=None,
                      separators=(",", ":"), sort_keys=False).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz:
        gz.write(body)
    compressed = buffer.getvalue()
    with open(os.path.join(out_dir, f"nvdcve-{name}.json.gz"), "wb") as f:
        f.write(compressed)
    meta = (f"lastModifiedDate:{last_modified}\r\n"
            f"size:{len(body)}\r\n"
            f"zipSize:{len(compressed)}\r\n"
            f"gzSize:{len(compressed)}\r\n"
            f"sha256:{hashlib.sha256(body).hexdigest().upper()}\r\n")
    with open(os.path.join(out_dir, f"nvdcve-{name}.meta"), "w", encoding="ascii", newline="") as f:
        f.write(meta)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", required=True, help="folder of NVD CVE API 2.0 records (*.json)")
    parser.add_argument("--kev", required=True, help="CISA known exploited vulnerabilities catalog (JSON)")
    parser.add_argument("--out", required=True, help="folder to write the mirror into (replaced)")
    parser.add_argument("--start-year", type=int, default=2002)
    parser.add_argument("--end-year", type=int, default=None)
    args = parser.parse_args()

    end_year = args.end_year or datetime.datetime.now(
        datetime.timezone(datetime.timedelta(hours=14))).year
    if args.start_year > end_year:
        fail(f"--start-year {args.start_year} is after the end year {end_year}")
    by_year = load_records(args.records)
    outside = sorted(y for y in by_year if y < args.start_year or y > end_year)
    if outside:
        fail(f"records for years {outside} fall outside {args.start_year}..{end_year}")
    try:
        with open(args.kev, encoding="utf-8") as f:
            kev = json.load(f)
        if not isinstance(kev.get("vulnerabilities"), list):
            raise ValueError("no 'vulnerabilities' list")
    except (OSError, ValueError, AttributeError) as e:
        fail(f"{args.kev} is not a CISA KEV catalog ({e})")

    # Build next to the target and swap it in, so that a server never serves half a mirror.
    parent = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".mirror-", dir=parent)
    try:
        for year in range(args.start_year, end_year + 1):
            write_feed(staging, str(year), by_year.get(year, []))
        # The modified feed holds no records (every record is in its year's feed) and is dated
        # like the newest record, which is when this mirror's data last changed.
        newest = max((iso_utc(lm) for items in by_year.values() for _, lm, _ in items))
        write_feed(staging, "modified", [], newest)
        shutil.copyfile(args.kev, os.path.join(staging, "known_exploited_vulnerabilities.json"))
        if os.path.isdir(args.out):
            shutil.rmtree(args.out)
        os.rename(staging, args.out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    total = sum(len(v) for v in by_year.values())
    print(f"build-mirror: {total} records, feeds {args.start_year}..{end_year} + modified, in {args.out}")


if __name__ == "__main__":
    main()
