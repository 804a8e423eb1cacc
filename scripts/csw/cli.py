"""The ``csw`` command: generate synthetic raw data and build the warehouse."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

from csw.bench.options import DEFAULT_MONTHS, DEFAULT_SEED, DEFAULT_SIZES, QUICK_ACCOUNTS, QUICK_MONTHS
from csw.dbt_env import dbt_environment
from csw.bi.superset import add_bi_parser
from csw.publish import add_publish_parser
from csw.runner import print_summary, run_dbt

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csw", description=__doc__)
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
    build.add_argument("--no-progress", action="store_true", help="plain output (CI, logs)")
    build.add_argument(
        "--freshness", choices=("warn", "error", "off"), default="warn",
        help="source freshness after the build: warn = report only (default), "
        "error = an error-level stale source fails the build, off = skip",
    )
    build.add_argument(
        "--freshness-clock", choices=("as-of", "wall"), default="as-of",
        help="measure source freshness at the data's as-of point (default: historical data is not "
        "stale because it is old) or against the current time (wall: scheduled production runs)",
    )
    build.set_defaults(func=cmd_build)

    add_publish_parser(sub)
    add_bi_parser(sub)
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
    return parser


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


def cmd_generate(args: argparse.Namespace, console: Console) -> int:
    from csw.generate import generate

    summary = generate(
        out_dir=args.out,
        accounts=args.accounts,
        months=args.months,
        seed=args.seed,
        as_of=args.as_of,
        faults=args.faults,
        product_source=not args.no_product_source,
    )
    console.print(f"[green]wrote[/] {args.out}")
    console.print_json(json.dumps(summary, default=str))
    return 0


def cmd_generate_day(args: argparse.Namespace, console: Console) -> int:
    from csw.generator.increment import append_day

    if not args.raw_dir.is_dir():
        console.print(f"[red]raw directory not found: {args.raw_dir}[/]")
        return 2
    summary = append_day(args.raw_dir, args.out, seed=args.seed)
    console.print(f"[green]appended {summary['as_of_date']}[/] to {args.out or args.raw_dir}")
    console.print_json(json.dumps(summary, default=str))
    return 0


def build_lock_path(args: argparse.Namespace) -> tuple[Path, str]:
    """The advisory lock of a build: beside the DuckDB file, or in the engine's target directory."""
    if args.target == "dev":
        return Path(str(args.db.resolve()) + ".lock"), f"database {args.db}"
    from csw.runner import PROJECT_DIR

    return PROJECT_DIR / f"target_{args.target}" / "csw_build.lock", f"target {args.target}"


def cmd_build(args: argparse.Namespace, console: Console) -> int:
    from rich.markup import escape

    from csw.buildstate import BuildLockedError, build_lock

    raw_dir: Path = args.raw_dir
    if not raw_dir.is_dir():
        console.print(f"[red]raw directory not found: {escape(str(raw_dir))}[/]")
        return 2
    lock_path, what = build_lock_path(args)
    try:
        with build_lock(lock_path, what, raw_dir.resolve()):
            return _locked_build(args, console)
    except BuildLockedError as exc:
        console.print(f"[red]csw build: {escape(str(exc))}[/]", highlight=False)
        return 3


def _locked_build(args: argparse.Namespace, console: Console) -> int:
    from csw.buildstate import record_build_end, record_build_start

    raw_dir: Path = args.raw_dir
    dbt_args = ["build", "--target", args.target]
    if args.target != "dev":
        dbt_args += ["--target-path", f"target_{args.target}"]
    if args.as_of is not None:
        from csw.as_of import as_of_problem

        problem = as_of_problem(raw_dir, args.as_of)
        if problem:
            console.print(f"[red]csw build: {problem}[/]", highlight=False)
            return 2
        dbt_args += ["--vars", json.dumps({"as_of_date": args.as_of.isoformat()})]
    if args.select:
        dbt_args += ["--select", *args.select]
    if args.full_refresh:
        dbt_args.append("--full-refresh")
    console.print(
        f"[bold]csw build[/] raw={raw_dir} target={args.target}"
        + (f" db={args.db}" if args.target == "dev" else "")
    )
    env = dbt_environment(raw_dir, args.db, args.target)
    build_id = None
    if args.target == "dev":  # the record csw publish reads (csw.buildstate)
        build_id = record_build_start(args.db, raw_dir.resolve(),
                                      args.as_of.isoformat() if args.as_of else None)
    if args.target == "postgres":
        from csw.engines import postgres

        try:
            postgres.load_raw(raw_dir, os.environ, log=lambda line: console.print(line, highlight=False))
        except Exception as exc:  # missing driver, bad raw file, server down: one clear line
            console.print(f"[red]csw build: loading raw into Postgres failed: {exc}[/]", highlight=False)
            return 2
    if args.target == "spark":
        from csw.engines.spark import prepare_spark

        spark_env = prepare_spark(raw_dir, console)
        if spark_env is None:
            return 2
        env.update(spark_env)
    result = run_dbt(
        dbt_args,
        env=env,
        console=console,
        show_progress=not args.no_progress,
    )
    print_summary(console, "dbt build", result)
    if args.target == "dev" and any("assert_dq_row_reconciliation_matches_raw" in n.unique_id
                                    for n in result.failed_nodes):
        _print_reconciliation_gaps(args.db, console)
    from csw.freshness import check_build_freshness

    freshness_rc = check_build_freshness(args, env, console, result)
    rc = 1 if not result.success or freshness_rc else 0
    if build_id is not None:
        failures = [f"{n.unique_id}: {n.message}" for n in result.failed_nodes] + result.errors
        if freshness_rc:
            failures.append("source freshness past error_after (--freshness error)")
        record_build_end(args.db, build_id, rc == 0, failures)
    # The last line says it all: freshness output (stale demo data is normal) comes after the summary.
    console.print("[green]csw build: passed[/]" if rc == 0 else "[red]csw build: failed[/]", highlight=False)
    return rc


def cmd_bench(args: argparse.Namespace, console: Console) -> int:
    from csw.bench import options_from_args, run

    return run(options_from_args(args), console)


def cmd_bench_step(args: argparse.Namespace, console: Console) -> int:
    from csw.bench import inner

    if args.step == "floor":
        inner.floor_step(args.raw_dir, args.db, args.out_dir, args.result)
    elif args.step == "append":
        inner.append_step(args.raw_dir, args.out, args.result)
    elif args.step == "naive":
        inner.naive_step(args.db, args.compiled_dir, args.result)
    else:
        inner.checksums_step(args.db, args.result)
    return 0


def _print_reconciliation_gaps(db: Path, console: Console) -> None:
    """Name each raw table whose rows are not all in its base model, with the counts and the remedy."""
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute("select source_name, table_name, raw_rows from marts.dq_row_reconciliation"
                               " order by 1, 2").fetchall()
            for source, table, counted in rows:
                raw = con.execute(f'select count(*) from raw."{source}__{table}"').fetchone()[0]
                if raw != counted:
                    console.print(
                        f"[red]reconciliation: raw.{source}__{table} has {raw} rows, its base model "
                        f"holds {counted} ({raw - counted:+d}); rebuild with csw build --full-refresh "
                        f"--raw-dir ... --db {db}[/]", highlight=False)
    except duckdb.Error as exc:
        console.print(f"reconciliation details unavailable: {exc}", highlight=False)


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from rich.markup import escape

    from csw.report import ReportError, render_report

    try:
        result = render_report(args.db, args.out, locale=args.lang, currency=args.currency)
    except ReportError as exc:
        console.print(f"[red]csw report: {escape(str(exc))}[/]")
        return 2
    console.print(f"[green]wrote[/] {result.out_path} ({len(result.charts)} charts)")
    return 0


def cmd_alerts(args: argparse.Namespace, console: Console) -> int:
    from rich.markup import escape

    from csw.alerts import AlertsError, write_digest

    try:
        text, digest = write_digest(args.db, fmt=args.format, lang=args.lang, out=args.out)
    except AlertsError as exc:
        console.print(f"[red]csw alerts: {escape(str(exc))}[/]")
        return 2
    if args.out is None:
        sys.stdout.write(text)
    else:
        console.print(f"[green]wrote[/] {args.out} ({len(digest.rows)} alerts)")
    return 0


def cmd_calibrate_health(args: argparse.Namespace, console: Console) -> int:
    from rich.markup import escape

    from csw.calibrate import CalibrationError, fit, read_hand_weights, write_seeds

    weights_seed = args.seeds_dir / "health_weights.csv"
    try:
        hand = read_hand_weights(weights_seed) if weights_seed.is_file() else None
        result = fit(args.db, split_month=args.split_month, hand_weights=hand)
    except CalibrationError as exc:
        console.print(f"[red]csw calibrate-health: {escape(str(exc))}[/]")
        return 2
    console.print(
        f"split {result.split_month}: train {result.train_snapshots} snapshots "
        f"({result.train_churned} churned within 90 days), validation {result.valid_snapshots} "
        f"({result.valid_churned})"
    )
    for name in ("hand", "fitted"):
        weights = getattr(result, f"{name}_weights")
        auc = result.auc[name]
        console.print(
            f"{name:>6} weights {weights}: ROC AUC train {auc['train']:.4f}, "
            f"validation (out of time) {auc['valid']:.4f}"
        )
    if args.dry_run:
        return 0
    write_seeds(result, args.seeds_dir)
    console.print(
        f"[green]wrote[/] {weights_seed} and {args.seeds_dir / 'health_weights_fit.csv'}; "
        "run `csw build` to apply the fitted weights"
    )
    return 0


def cmd_compare_marts(args: argparse.Namespace, console: Console) -> int:
    from csw.compare_marts import compare_marts, report_lines

    for path in (args.before, args.after):
        if not path.is_file():
            console.print(f"[red]csw compare-marts: no such DuckDB file: {path}[/]", highlight=False)
            return 2
    results = compare_marts(args.before, args.after)
    for line in report_lines(results):
        sys.stdout.write(line + "\n")
    return 0 if results and all(r.equal for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    return args.func(args, console)


if __name__ == "__main__":
    sys.exit(main())
