"""``csw build``: load a raw directory and run dbt build under the database's build lock, with a
record of the build for ``csw publish`` (DECISIONS.md "One build at a time, and a record of each")."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from rich.console import Console

from csw.dbt_env import dbt_environment
from csw.runner import print_summary, run_dbt

# --unit-tests (default: env CSW_UNIT_TESTS, else auto); DECISIONS.md "A daily build does not re-run
# unchanged unit tests".
UNIT_TEST_MODES = ("auto", "always", "skip")


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
    from csw.buildstate import code_fingerprint, record_build_end, record_build_start, unit_tests_verified_by
    from csw.runner import PROJECT_DIR

    raw_dir: Path = args.raw_dir
    dbt_args = ["build", "--target", args.target]
    if args.target != "dev":
        dbt_args += ["--target-path", f"target_{args.target}"]
    # The data tests of the large incremental models check the rows this build wrote (all of
    # them on a full build; macros/incremental/csw_test_where.sql); always set, so the vars, and
    # with them dbt's partial parse, stay the same from one daily run to the next.
    dbt_vars: dict[str, object] = {"csw_test_rows_of_this_run": True}
    if args.as_of is not None:
        from csw.as_of import as_of_problem

        problem = as_of_problem(raw_dir, args.as_of)
        if problem:
            console.print(f"[red]csw build: {problem}[/]", highlight=False)
            return 2
        dbt_vars["as_of_date"] = args.as_of.isoformat()
    dbt_args += ["--vars", json.dumps(dbt_vars)]
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
        code = code_fingerprint(PROJECT_DIR, json.dumps(dbt_args))
        verified_by = unit_tests_verified_by(args.db, code) if args.unit_tests == "auto" else None
        if verified_by is not None:
            dbt_args += ["--exclude-resource-type", "unit_test"]
            console.print(f"unit tests skipped: the code is unchanged since build {verified_by} of this "
                          "database, which passed them (csw build --unit-tests always runs them)",
                          highlight=False)
        build_id = record_build_start(args.db, raw_dir.resolve(),
                                      args.as_of.isoformat() if args.as_of else None, code,
                                      "ran" if args.unit_tests != "skip" and verified_by is None else "skipped")
    if args.unit_tests == "skip":
        dbt_args += ["--exclude-resource-type", "unit_test"]
        console.print("unit tests skipped (--unit-tests skip)", highlight=False)
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
    if args.target == "dev":
        _print_reconciliation_gaps(args.db, console, result)
        if any(n.unique_id.endswith(".int_billing_accounts__mapped_to_customers") and n.status == "success"
               for n in result.nodes):  # built by this run (not a table left by an earlier build)
            _print_unmatched_billing_accounts(args.db, console)
    from csw.freshness import check_build_freshness

    freshness_rc = check_build_freshness(args, env, console, result)
    rc = 1 if not result.success or freshness_rc else 0
    if build_id is not None:
        failures = [f"{n.unique_id}: {n.message}" for n in result.failed_nodes] + result.errors
        if freshness_rc:
            failures.append("source freshness past error_after (--freshness error)")
        warnings = result.warnings + [f"{n.unique_id}: {n.message}" for n in result.nodes if n.status == "warn"]
        record_build_end(args.db, build_id, rc == 0, failures, warnings)
    # The last line says it all: freshness output (stale demo data is normal) comes after the summary.
    console.print("[green]csw build: passed[/]" if rc == 0 else "[red]csw build: failed[/]", highlight=False)
    return rc


def _print_reconciliation_gaps(db: Path, console: Console, result) -> None:
    """The failing rows of assert_dq_row_reconciliation_matches_raw, one line each: the test itself names
    the table, the raw and base-model counts and the remedy (its `remedy` column)."""
    import duckdb

    for unique_id, sql in result.failing_sql.items():
        if "assert_dq_row_reconciliation_matches_raw" not in unique_id:
            continue
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                remedies = [row[0] for row in con.execute(f"select remedy from ({sql}) as failing order by 1")
                            .fetchall()]
        except duckdb.Error as exc:
            console.print(f"reconciliation details unavailable: {exc}", highlight=False)
            continue
        for remedy in remedies:
            console.print(f"[red]reconciliation: {remedy}[/]", highlight=False)


# Billing accounts whose crm_account_id names no CRM account are customers of their own
# (metrics.md "Customer"), not a data error: the summary says how many, so a typo is noticed.
_UNMATCHED_SQL = """
select billing_account_id, crm_account_id
from {relation}
where not is_crm_matched and crm_account_id is not null
order by billing_account_id
"""


def _print_unmatched_billing_accounts(db: Path, console: Console, shown: int = 5) -> None:
    """One line: the billing accounts whose crm_account_id names no CRM account (the first few)."""
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            found = con.execute("select table_schema from information_schema.tables "
                                "where table_name = 'int_billing_accounts__mapped_to_customers'").fetchall()
            if len(found) != 1:
                return
            relation = f'"{found[0][0]}".int_billing_accounts__mapped_to_customers'
            rows = con.execute(_UNMATCHED_SQL.format(relation=relation)).fetchall()
    except duckdb.Error as exc:
        console.print(f"unmatched billing accounts unavailable: {exc}", highlight=False)
        return
    if not rows:
        return
    listed = ", ".join(f"{billing} -> {crm}" for billing, crm in rows[:shown])
    more = f" and {len(rows) - shown} more" if len(rows) > shown else ""
    console.print(
        f"note: {len(rows)} billing account(s) name a CRM account that does not exist ({listed}{more}): "
        "each is a customer of its own, billing:<billing_account_id>, revenue kept, without CRM "
        "segment or CSM (dim_customers.is_crm_matched = false); fix the id in billing if it is a typo",
        highlight=False, soft_wrap=True)
