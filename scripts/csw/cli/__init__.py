"""The ``csw`` command: generate synthetic raw data and build the warehouse.

Every flag of every subcommand is declared here (argparse lives only in this module); the work is
in ``csw.cli.build`` (``csw build``) and ``csw.cli.commands`` (the others), which call the modules
that do it. ``python -m csw.quality``, ``python -m csw.engines.pg_cluster`` and ``python -m
csw.engines.spark_cluster`` run ``csw quality``, ``csw pg-cluster`` and ``csw spark-cluster`` through
this parser.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from rich.console import Console

from csw.bench.options import DEFAULT_MONTHS, DEFAULT_SEED, DEFAULT_SIZES, QUICK_ACCOUNTS, QUICK_MONTHS
from csw.cli.build import UNIT_TEST_MODES, build_lock_path, cmd_build
from csw.cli.commands import (
    cmd_alerts,
    cmd_bench,
    cmd_bench_step,
    cmd_bi,
    cmd_calibrate_health,
    cmd_compare_marts,
    cmd_generate,
    cmd_generate_day,
    cmd_pg_cluster,
    cmd_publish,
    cmd_quality,
    cmd_report,
    cmd_spark_cluster,
)
from csw.dbt_env import dbt_environment
from csw.freshness import MODES as FRESHNESS_MODES
from csw.publish import DEFAULT_GRACE_SECONDS, DEFAULT_KEEP

__all__ = ["build_lock_path", "build_parser", "dbt_environment", "main"]

TARGETS = ("dev", "postgres", "spark")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer: {text!r}")
    return value


def _faults(text: str) -> frozenset[str]:
    from csw.generate import ALL_FAULTS

    if text == "all":
        return ALL_FAULTS
    if text == "none":
        return frozenset()
    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = chosen - ALL_FAULTS
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown fault(s) {sorted(unknown)}; choose from {sorted(ALL_FAULTS)}, 'all' or 'none'"
        )
    return chosen


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma list of account counts: {text!r}") from None
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return sizes


def _keep(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 (current and previous): {text!r}")
    return value


class _FromEnv(str):
    """A flag's default read from an environment variable (so an error can say where it came from)."""

    env = ""


def _env_default(env: str, fallback: str) -> str:
    value = os.environ.get(env)
    if not value:
        return fallback
    default = _FromEnv(value)
    default.env = env
    return default


def _mode(choices: tuple[str, ...]):
    """An argparse type for a mode flag whose default may come from an environment variable
    (`_env_default`): argparse passes a string default through `type` too, so a bad flag and a bad
    variable are both refused while the arguments are parsed (usage error, exit 2)."""

    def mode(text: str) -> str:
        if text not in choices:
            source = f" (from {text.env})" if isinstance(text, _FromEnv) else ""
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(choices)}, not {text!r}{source}")
        return str(text)

    return mode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csw", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic raw directory and its _truth/")
    gen.add_argument("--out", type=Path, required=True, help="raw directory to write")
    gen.add_argument("--accounts", type=_positive_int, default=1000)
    gen.add_argument("--months", type=_positive_int, default=24)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--as-of", type=_parse_date, default=date(2026, 6, 30), help="last simulated day")
    gen.add_argument(
        "--faults",
        type=_faults,
        default="all",  # argparse passes a string default through `type`
        help="comma list of duplicates,late_updates,soft_deletes,bad_rows, or 'all' / 'none'",
    )
    gen.add_argument(
        "--no-product-source", action="store_true", help="omit the optional product usage source"
    )
    gen.add_argument(
        "--layout", choices=("file", "folder"), default="file",
        help="file: <source>/<table>.csv (default); folder: <source>/<table>/<as-of>.csv, the layout "
        "csw generate-day appends new extracts to (raw_sources.md allows both)",
    )
    gen.set_defaults(func=cmd_generate)

    day = sub.add_parser(
        "generate-day",
        help="append one more day of raw data (new rows, late arrivals, late updates, soft deletes)",
    )
    day.add_argument("--raw-dir", type=Path, required=True, help="generated raw directory")
    day.add_argument("--out", type=Path, default=None, help="write a copy here (default: append in place)")
    day.add_argument("--seed", type=int, default=0)
    day.set_defaults(func=cmd_generate_day)

    build = sub.add_parser("build", help="load a raw directory and run dbt build")
    build.add_argument("--raw-dir", type=Path, required=True)
    build.add_argument("--target", choices=TARGETS, default="dev")
    build.add_argument("--db", type=Path, default=Path("warehouse.duckdb"), help="DuckDB file (dev)")
    build.add_argument("--as-of", type=_parse_date, default=None, help="as-of date (default: data)")
    build.add_argument("--select", nargs="+", default=None, help="dbt node selection")
    build.add_argument("--full-refresh", action="store_true")
    build.add_argument(
        "--unit-tests", type=_mode(UNIT_TEST_MODES), metavar="{" + ",".join(UNIT_TEST_MODES) + "}",
        default=_env_default("CSW_UNIT_TESTS", "auto"),
        help="auto (default, or env CSW_UNIT_TESTS): skip the dbt unit tests when a passed build of "
        "this database ran them on the same code (they check code, not data); always: run them; "
        "skip: do not run them (a CI that runs them once in another build)",
    )
    build.add_argument("--no-progress", action="store_true", help="plain output (CI, logs)")
    build.add_argument(
        "--freshness", type=_mode(FRESHNESS_MODES), metavar="{" + ",".join(FRESHNESS_MODES) + "}",
        default=_env_default("CSW_FRESHNESS", "warn"),
        help="source freshness after the build (default: env CSW_FRESHNESS, else warn): warn = report "
        "only, error = an error-level stale source fails the build, off = skip",
    )
    build.add_argument(
        "--freshness-clock", choices=("as-of", "wall"), default="as-of",
        help="measure source freshness at the data's as-of point (default: historical data is not "
        "stale because it is old) or against the current time (wall: scheduled production runs)",
    )
    build.set_defaults(func=cmd_build)

    _add_publish_parsers(sub)
    _add_bench_parsers(sub)

    report = sub.add_parser("report", help="write the static HTML report from the marts")
    report.add_argument("--db", type=Path, default=Path("warehouse.duckdb"), help="DuckDB file")
    report.add_argument("--out", type=Path, default=Path("reports/index.html"), help="HTML file")
    report.add_argument("--lang", choices=("en", "ja"), default="en", help="report language")
    report.add_argument(
        "--currency", choices=("USD", "JPY"), default="USD",
        help="JPY: amounts in the text in 万円 at the as-of month's rate (charts stay in USD)",
    )
    report.set_defaults(func=cmd_report)

    alerts = sub.add_parser(
        "alerts", help="write the at-risk digest of the as-of month (highest MRR at stake first)"
    )
    alerts.add_argument("--db", type=Path, default=Path("warehouse.duckdb"), help="DuckDB file")
    alerts.add_argument("--format", choices=("csv", "json", "markdown"), default="markdown")
    alerts.add_argument("--lang", choices=("en", "ja"), default="en", help="digest language")
    alerts.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    alerts.set_defaults(func=cmd_alerts)

    cal = sub.add_parser(
        "calibrate-health",
        help="fit the health component weights on the warehouse's history (logistic regression, "
        "out-of-time validation) and write them to seeds/health_weights.csv",
    )
    cal.add_argument("--db", type=Path, default=Path("warehouse.duckdb"), help="DuckDB file")
    cal.add_argument("--seeds-dir", type=Path, default=Path("seeds"), help="where the seeds live")
    cal.add_argument(
        "--split-month", type=_parse_date, default=None,
        help="first validation month (default: leaves about a third of the months for validation)",
    )
    cal.add_argument("--dry-run", action="store_true", help="print the fit, write nothing")
    cal.set_defaults(func=cmd_calibrate_health)

    cmp_ = sub.add_parser(
        "compare-marts",
        help="compare every mart of two DuckDB warehouses (columns, types, rows): the no-behaviour-change "
        "check of a refactoring",
    )
    cmp_.add_argument("before", type=Path, help="DuckDB file built before the change")
    cmp_.add_argument("after", type=Path, help="DuckDB file built after it, from the same raw directory")
    cmp_.set_defaults(func=cmd_compare_marts)

    quality = sub.add_parser("quality", help="check the project's DAG rules on dbt's manifest (make lint)")
    quality.add_argument("--manifest", type=Path, default=None,
                         help="read this manifest.json instead of running dbt parse")
    quality.add_argument("--target-path", type=Path, default=None,
                         help="where dbt parse writes manifest.json (default: target)")
    quality.set_defaults(func=cmd_quality)

    pg = sub.add_parser("pg-cluster", help="start or stop a throwaway local PostgreSQL server; start prints "
                        "the CSW_PG_* exports (eval \"$(csw pg-cluster start)\")")
    pg.add_argument("action", choices=("start", "stop"))
    pg.add_argument("--dir", type=Path, default=None, help="cluster directory (default: <tmp>/csw_pg_cluster)")
    pg.set_defaults(func=cmd_pg_cluster)

    spark = sub.add_parser("spark-cluster", help="start, show or stop a throwaway local Spark standalone "
                           "cluster; start and env print the CSW_SPARK_* exports (eval \"$(csw spark-cluster start)\")")
    spark.add_argument("action", choices=("start", "stop", "env"))
    spark.add_argument("--dir", type=Path, default=None, help="cluster directory (default: <tmp>/csw_spark_cluster)")
    spark.add_argument("--workers", type=_positive_int, default=2)
    spark.add_argument("--cores", type=_positive_int, default=1, help="cores per worker")
    spark.add_argument("--memory", default="1g", help="memory per worker")
    spark.set_defaults(func=cmd_spark_cluster)
    return parser


def _add_publish_parsers(sub: argparse._SubParsersAction) -> None:
    pub = sub.add_parser("publish", help="snapshot the marts to Parquet + a read-only catalog for BI")
    pub.add_argument("--db", type=Path, default=Path("warehouse.duckdb"), help="built DuckDB file")
    pub.add_argument("--out", type=Path, default=Path("published"), help="publish directory")
    pub.add_argument("--keep", type=_keep, default=DEFAULT_KEEP, help="snapshots to keep (>= 2)")
    pub.add_argument(
        "--grace-seconds",
        type=float,
        default=DEFAULT_GRACE_SECONDS,
        help="never prune a snapshot superseded less than this long ago",
    )
    pub.set_defaults(func=cmd_publish)

    bi = sub.add_parser("bi", help="start Apache Superset on the published snapshot with the dashboards loaded")
    bi.add_argument("--published", type=Path, default=Path("published"), help="csw publish --out directory")
    bi.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    bi.add_argument("--home", type=Path, default=None,
                    help="Superset home (config, SQLite metadata, log), kept and reused by the next run; "
                         "default: a temporary directory, removed on exit")
    bi.add_argument("--bundle-out", type=Path, default=None,
                    help="only write the dashboards' assets bundle (zip) for an existing Superset, then exit")
    bi.set_defaults(func=cmd_bi)


def _add_bench_parsers(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmark the build against a floor and a naive baseline (BENCHMARKS.md)")
    bench.add_argument("--sizes", type=_sizes, default=DEFAULT_SIZES,
                       help="comma list of account counts (default 1000,10000,100000)")
    bench.add_argument("--months", type=int, default=None, help=f"months of history (default {DEFAULT_MONTHS}; "
                       f"{QUICK_MONTHS} with --quick)")
    bench.add_argument("--seed", type=int, default=DEFAULT_SEED)
    bench.add_argument("--quick", action="store_true",
                       help=f"CI smoke run: {QUICK_ACCOUNTS:,} accounts x {QUICK_MONTHS} months, JSON to a temp "
                       "path, BENCHMARKS.md untouched unless --out is given")
    bench.add_argument("--cache-dir", type=Path, default=None,
                       help="generated datasets and work files (default .bench/, .bench/quick/ with --quick)")
    bench.add_argument("--out", type=Path, default=None,
                       help="markdown file whose `csw bench` section is rewritten (default BENCHMARKS.md; "
                       "none with --quick)")
    bench.add_argument("--json", type=Path, default=None,
                       help="raw results (default benchmarks/results.json; <cache-dir>/results.json with --quick)")
    bench.add_argument("--verify-max-accounts", type=int, default=10_000,
                       help="compare the incremental run with a full refresh up to this many accounts")
    bench.add_argument("--keep-work", action="store_true", help="keep the databases and copies of each size")
    bench.add_argument("--merge", action="store_true",
                       help="keep the runs of other sizes already in the JSON (re-run one size)")
    bench.set_defaults(func=cmd_bench)

    # One measured step of `csw bench` in its own process (its wall time and peak RSS are its own).
    step = sub.add_parser("bench-step", help="internal: one measured step of `csw bench`, in its own process")
    steps = step.add_subparsers(dest="step", required=True)
    for name, paths in (("floor", ("--raw-dir", "--db", "--out-dir", "--result")),
                        ("naive", ("--db", "--compiled-dir", "--result")),
                        ("append", ("--raw-dir", "--out", "--result")),
                        ("checksums", ("--db", "--result"))):
        one = steps.add_parser(name)
        for flag in paths:
            one.add_argument(flag, type=Path, required=True)
    step.set_defaults(func=cmd_bench_step)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    return args.func(args, console)

