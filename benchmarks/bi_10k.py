"""One measurement for BENCHMARKS.md: publish and Superset dashboard import at 10k accounts.

    .venv/bin/python benchmarks/bi_10k.py [--accounts 10000] [--months 36] [--work DIR]

Generates the dataset, builds it (not timed here: `csw bench` times builds), then times
`csw publish`, the Superset start (db upgrade, create-admin, init, run), the import of the
dashboards through /api/v1/assets/import/ and one read of every chart through
/api/v1/chart/data. Prints JSON; the numbers go into BENCHMARKS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from csw.bi.superset import SupersetServer, import_dashboards
from csw.cli import main as csw_main
from csw.publish import publish


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="csw-bi-bench-"))
    raw, db, out = work / "raw", work / "warehouse.duckdb", work / "published"
    result: dict = {"accounts": args.accounts, "months": args.months, "cpus": os.cpu_count(),
                    "machine": platform.platform()}
    if not db.exists():
        assert csw_main(["generate", "--out", str(raw), "--accounts", str(args.accounts),
                         "--months", str(args.months), "--seed", "42"]) == 0
        started = time.perf_counter()
        assert csw_main(["build", "--raw-dir", str(raw), "--db", str(db), "--no-progress"]) == 0
        result["build_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    published = publish(db, out)
    result["publish_s"] = round(time.perf_counter() - started, 2)
    result["published_rows"] = sum(m["rows"] for m in published.manifest["marts"].values())
    result["published_bytes"] = sum(m["bytes"] for m in published.manifest["marts"].values())
    with SupersetServer() as server:
        result["superset_start_s"] = {k: round(v, 1) for k, v in server.timings.items()}
        result["import_s"] = round(import_dashboards(server, out), 2)
        started = time.perf_counter()
        charts = server.charts()
        rows = {c["slice_name"]: len(server.chart_data(c["id"])) for c in charts}
        result["all_charts_data_s"] = round(time.perf_counter() - started, 2)
        result["charts"] = len(rows)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
