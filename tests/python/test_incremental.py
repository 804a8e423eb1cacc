"""Incremental builds give exactly the full-refresh result.

A 300-account x 18-month dataset with every fault is built once; then two days are appended
(csw generate-day: one new extract file per table in the folder layout, holding new rows, late
arrivals, late updates and soft deletes, DECISIONS.md) and after each the same database is built
again, incrementally. Then an extract already loaded is rewritten (support.ticket_events) and
another removed (crm.activities), the way a careless extract tool re-delivers or withdraws a file,
and the database is built once more: the loader reloads those two tables in full and says so.
The final raw directory is then built with `--full-refresh` into a second database, and every
table and view in staging, intermediate and marts must hold the same rows (row count and md5 of
the sorted rows' text), model by model.

Just over 400 lines: one dataset and its sequence of builds, with the checks of each step; split,
each module would build the 300-account world again.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from _warehouse import relation_digests
from csw.generator.increment import append_day, to_folder_layout
from csw.runner import run_dbt

FULL_RUN = ["build", "--resource-type", "seed", "--resource-type", "model"]
INCREMENTAL = {
    "base_support__ticket_events": ("support", "ticket_events"),
    "base_crm__activities": ("crm", "activities"),
    "base_survey__responses": ("survey", "responses"),
    "base_product__workspace_usage_daily": ("product", "workspace_usage_daily"),
    "base_support__tickets": ("support", "tickets"),
}
# incremental base models whose tables csw generate-day does not extend (billing invoices and
# payments): a daily run builds no key of theirs; the full-refresh comparisons cover them
INCREMENTAL_UNCHANGED = ("base_billing__invoices", "base_billing__payments")
# incremental models downstream of the base models (DECISIONS.md, "Incremental downstream models")
DOWNSTREAM = ("int_workspace_usage__account_month", "int_support_ticket_events__summarized",
              "int_crm_activities__account_month")
SCHEMAS = ("staging", "intermediate", "marts")


def _dbt(root: Path, raw_dir: Path, db_path: Path, *args: str):
    result = run_dbt(
        [*args, "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        env={"CSW_RAW_DIR": str(raw_dir), "CSW_DB_PATH": str(db_path), "CSW_HASH_SALT": "pytest-salt"},
        show_progress=False,
    )
    assert result.success, result.text
    return result


@pytest.fixture(scope="module")
def builds(gen_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    raw = root / "raw"
    shutil.copytree(gen_dir, raw, ignore=shutil.ignore_patterns("_truth"))
    inc_db, full_db = root / "incremental.duckdb", root / "full.duckdb"
    _dbt(root, raw, inc_db, *FULL_RUN)
    # a warehouse built by older versions of the models: the next run drops each such table on run
    # start and builds it in full (csw_drop_incremental_tables_of_other_versions)
    with duckdb.connect(str(inc_db)) as con:
        # built before base_billing__payments was incremental (no _source_file_id)
        con.execute("alter table staging.base_billing__payments drop column _source_file_id")
        # a ticket summary built before it kept the as-of time of its rows and the status known then
        for column in ("_csw_known_until_at", "latest_known_status", "last_status_change_at"):
            con.execute(f"alter table intermediate.int_support_ticket_events__summarized drop column {column}")
        # an activity aggregate with a column the model no longer writes
        con.execute("alter table intermediate.int_crm_activities__account_month add column legacy_count integer")
    days, logs, upgraded = [], [], None
    for seed in (1, 2):
        days.append(append_day(raw, seed=seed))
        logs.append(_dbt(root, raw, inc_db, *FULL_RUN).text)
        if upgraded is None:
            with duckdb.connect(str(inc_db), read_only=True) as con:
                upgraded = con.execute("select count(*), count(_source_file_id) "
                                       "from staging.base_billing__payments").fetchone()
    # what the second daily run rewrote in the activity aggregate and recomputed of the health
    # snapshot (its components): (rows in total, rows written by that run)
    with duckdb.connect(str(inc_db), read_only=True) as con:
        activities_written = _rows_written_by_last_run(con, "intermediate.int_crm_activities__account_month")
        health_written = _rows_written_by_last_run(con, "intermediate.int_customer_health__components")
    # what the last daily incremental run executed
    run_sql = {m: next((root / "target" / "run").rglob(f"{m}.sql")).read_text() for m in INCREMENTAL}
    compiled = {m: next((root / "target" / "compiled").rglob(f"{m}.sql")).read_text()
                for m in (*INCREMENTAL, *INCREMENTAL_UNCHANGED, *DOWNSTREAM)}
    # a late extract: an old month's usage row moved to another account (which had no usage
    # that month) and another old row soft-deleted; a CRM account merged into another
    late = _late_usage_and_merge(raw, inc_db)
    late["tickets"] = _late_ticket_changes(raw, inc_db)
    late["cancellation"] = _late_cancellation(raw, inc_db)
    # a run that stopped after the health snapshot's input fingerprints: their changes are not
    # applied yet, so the next run recomputes those customers too and still equals --full-refresh
    _dbt(root, raw, inc_db, "run", "--select", "+int_customer_health__input_fingerprints")
    logs.append(_dbt(root, raw, inc_db, *FULL_RUN).text)
    with duckdb.connect(str(inc_db), read_only=True) as con:
        summary = "intermediate.int_support_ticket_events__summarized"
        late["tickets"]["written"] = con.execute(
            f"select count(*), count(*) filter (where {_LAST_RUN.format(summary)}), "
            f"list(ticket_id) filter (where {_LAST_RUN.format(summary)}) from {summary}").fetchone()
        late["tickets"]["rows"] = {ticket: (reply, solved, csat) for ticket, reply, solved, csat in con.execute(
            "select ticket_id, first_reply_at, solved_at, csat_score "
            "from intermediate.int_support_ticket_events__summarized").fetchall()}
        late["written"] = _rows_written_by_last_run(con, "intermediate.int_workspace_usage__account_month")
        late["pairs"] = con.execute(
            "select crm_account_id, usage_month, active_user_days, staged_usage_rows "
            "from intermediate.int_workspace_usage__account_month "
            "where crm_account_id in (?, ?) and usage_month = ? order by 1",
            [late["from_account"], late["to_account"], late["month"]]).fetchall()
    # the incremental path (no table reloaded) against --full-refresh, before the reloads below
    late_full_db = root / "full_late.duckdb"
    _dbt(root, raw, late_full_db, *FULL_RUN, "--full-refresh")
    late["digests"] = (relation_digests(inc_db), relation_digests(late_full_db))
    # a loaded extract rewritten (its last row withdrawn, one value changed), another removed
    rewritten = raw / "support" / "ticket_events" / "2026-07-01.csv"
    lines = rewritten.read_text().splitlines(keepends=True)
    rewritten.write_text("".join([lines[0], lines[1].replace(",false", ",true", 1), *lines[2:-1]]))
    removed = raw / "crm" / "activities" / "2026-07-02.csv"
    removed.unlink()
    # the late usage extract withdrawn: the usage table is reloaded, its base model and the
    # aggregate reset (the pair of the account that had usage that month only through it vanishes)
    late["usage_file"].unlink()
    logs.append(_dbt(root, raw, inc_db, *FULL_RUN).text)
    _dbt(root, raw, full_db, *FULL_RUN, "--full-refresh")
    return {"root": root, "raw": raw, "inc_db": inc_db, "full_db": full_db, "days": days, "logs": logs,
            "run_sql": run_sql, "compiled": compiled, "rewritten": rewritten, "removed": removed, "late": late,
            "upgraded": upgraded, "activities_written": activities_written, "health_written": health_written}


# rows of a stamped incremental model written by the last run that wrote it (csw_incremental_stamp)
_LAST_RUN = "_csw_invocation_id = (select max_by(_csw_invocation_id, _csw_built_at) from {})"


def _rows_written_by_last_run(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
    """(rows in total, rows the last run that wrote `relation` wrote)."""
    return con.execute(
        f"select count(*), count(*) filter (where {_LAST_RUN.format(relation)}) from {relation}").fetchone()


def _late_usage_and_merge(raw: Path, db_path: Path) -> dict:
    """Write a late usage extract touching an old month and a CRM extract merging one account."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        (month,) = con.execute(
            "select min(usage_month) + interval 2 month from intermediate.int_workspace_usage__account_month"
        ).fetchone()
        moved, deleted = con.execute(
            "select workspace_id, crm_account_id, cast(usage_date as varchar), active_users, sessions, "
            "key_feature_events from staging.stg_product__workspace_usage_daily "
            "where date_trunc('month', usage_date) = ? order by workspace_id, usage_date limit 2", [month]
        ).fetchall()
        (to_account,) = con.execute(
            "select min(account_id) from staging.stg_crm__accounts where account_id not in ("
            "select crm_account_id from intermediate.int_workspace_usage__account_month where usage_month = ?)",
            [month]).fetchone()
        merged, survivor = con.execute(
            "select account_id from intermediate.int_crm_accounts__merge_resolved "
            "where surviving_account_id = account_id and account_id not in (?, ?) "
            "and account_id in (select crm_account_id from intermediate.int_workspace_usage__account_month) "
            "order by account_id limit 2", [moved[1], to_account]).fetchall()
    stamp = "2026-07-02T23:30:00Z"
    usage_file = raw / "product" / "workspace_usage_daily" / "2026-07-02-late.csv"
    usage_file.write_text(
        "workspace_id,crm_account_id,usage_date,active_users,sessions,key_feature_events,_loaded_at,_is_deleted\n"
        f"{moved[0]},{to_account},{moved[2]},{moved[3] + 7},{moved[4]},{moved[5]},{stamp},false\n"
        f"{deleted[0]},{deleted[1]},{deleted[2]},{deleted[3]},{deleted[4]},{deleted[5]},{stamp},true\n")
    _redeliver_latest_row(raw, "crm", "accounts", "account_id", merged[0],
                          merged_into_account_id=survivor[0], _loaded_at=stamp)
    return {"usage_file": usage_file, "month": month, "from_account": moved[1], "to_account": to_account,
            "merged": merged[0], "survivor": survivor[0]}


def _redeliver_latest_row(raw: Path, source: str, table: str, key_column: str, key: str, **changes: str) -> None:
    """A late extract `<source>/<table>/2026-07-02-late.csv` re-delivering the latest raw row of
    `key` (by `_loaded_at`, over every extract of the table) with `changes` applied."""
    folder = to_folder_layout(raw, source, table, "2026-06-30")
    latest: dict[str, str] = {}
    for extract in sorted(folder.glob("*.csv")):
        with extract.open(newline="") as fh:
            reader = csv.DictReader(fh)
            columns = list(reader.fieldnames or [])
            for row in reader:
                if row[key_column] == key and row["_loaded_at"] >= latest.get("_loaded_at", ""):
                    latest = row
    latest.update(changes)
    with (folder / "2026-07-02-late.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerow(latest)


def _late_cancellation(raw: Path, db_path: Path) -> dict:
    """A late billing extract cancelling a live subscription two months back: its customer's last
    months leave the MRR spine, so their health snapshots must go (not stay as built)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        subscription, customer, months = con.execute(
            "select s.subscription_id, b.customer_id, count(distinct m.month) "
            "from staging.stg_billing__subscriptions as s "
            "inner join intermediate.int_billing_accounts__mapped_to_customers as b using (billing_account_id) "
            "inner join intermediate.int_customer_months__customer_success_snapshot as m using (customer_id) "
            "where s.canceled_date is null and b.customer_id in ("
            "  select b2.customer_id from staging.stg_billing__subscriptions as s2"
            "  inner join intermediate.int_billing_accounts__mapped_to_customers as b2 using (billing_account_id)"
            "  group by 1 having count(*) = 1) "
            "group by 1, 2 having count(distinct m.month) >= 6 order by 1 limit 1").fetchone()
        (as_of_month,) = con.execute("select as_of_month from intermediate.int_as_of").fetchone()
    canceled_on = (as_of_month.replace(day=1) - timedelta(days=40)).replace(day=15)
    _redeliver_latest_row(raw, "billing", "subscriptions", "subscription_id", subscription,
                          status="canceled", canceled_on=canceled_on.isoformat(), cancel_reason="other",
                          _loaded_at="2026-07-02T23:30:00Z")
    return {"subscription": subscription, "customer": customer, "months": months, "canceled_on": canceled_on}


def _ts(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _late_ticket_changes(raw: Path, db_path: Path) -> dict:
    """Late support extracts touching old tickets: an event for a ticket never replied (its first
    reply), a first reply moved to another ticket (the superseded row's old ticket changes too), a
    solve soft-deleted, a ticket soft-deleted (its summary row must go) and a new rating of a rated
    ticket (its latest rating changes)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        def one(sql: str, *params):
            return con.execute(sql, list(params)).fetchone()

        summary = "intermediate.int_support_ticket_events__summarized"
        events = "staging.stg_support__ticket_events"
        unreplied, unreplied_created = one(
            f"select s.ticket_id, t.created_at from {summary} as s inner join staging.stg_support__tickets as t "
            "using (ticket_id) where s.first_reply_at is null order by 1 limit 1")
        moved = one(
            f"select e.event_id, e.ticket_id, e.created_at from {events} as e inner join {summary} as s "
            "on e.ticket_id = s.ticket_id and e.created_at = s.first_reply_at "
            "where e.event_type = 'comment' and e.actor_type = 'agent' and e.is_public and e.ticket_id != ? "
            "order by e.created_at desc, e.event_id limit 1", unreplied)
        (moved_to,) = one(  # a ticket never replied, created before the moved reply: now its first reply
            f"select s.ticket_id from {summary} as s inner join staging.stg_support__tickets as t using (ticket_id) "
            "where s.ticket_id not in (?, ?) and s.first_reply_at is null and t.created_at <= ? "
            "order by s.ticket_id limit 1", unreplied, moved[1], moved[2])
        unsolved = one(
            f"select event_id, ticket_id, created_at from {events} where event_type = 'status_change' "
            "and new_value = 'solved' and ticket_id not in (?, ?, ?) order by event_id limit 1",
            unreplied, moved[1], moved_to)
        ticket_columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'staging' "
            "and table_name = 'base_support__tickets' and column_name not like '\\_%' escape '\\' "
            "order by ordinal_position").fetchall()]
        gone = one(
            f"select {', '.join('t.' + c for c in ticket_columns)} from staging.base_support__tickets as t "
            f"inner join {summary} as s using (ticket_id) where t._dq_status = 'staged' "
            "and t.ticket_id not in (?, ?, ?, ?) order by t.ticket_id limit 1",
            unreplied, moved[1], moved_to, unsolved[1])
        (rerated,) = one(
            f"select ticket_id from {summary} where csat_score = 'good' and ticket_id not in (?, ?, ?, ?, ?) "
            "order by ticket_id limit 1", unreplied, moved[1], moved_to, unsolved[1], gone[0])
    stamp = "2026-07-02T23:30:00Z"
    event_file = to_folder_layout(raw, "support", "ticket_events", "2026-06-30") / "2026-07-02-late.csv"
    event_file.write_text(
        "event_id,ticket_id,created_at,actor_type,event_type,is_public,new_value,_loaded_at,_is_deleted\n"
        f"EVT-LATE-1,{unreplied},{_ts(unreplied_created)},agent,comment,true,,{stamp},false\n"
        f"{moved[0]},{moved_to},{_ts(moved[2])},agent,comment,true,,{stamp},false\n"
        f"{unsolved[0]},{unsolved[1]},{_ts(unsolved[2])},agent,status_change,false,solved,{stamp},true\n")
    ticket_file = to_folder_layout(raw, "support", "tickets", "2026-06-30") / "2026-07-02-late.csv"
    with ticket_file.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*ticket_columns, "_loaded_at", "_is_deleted"])
        writer.writerow([_ts(v) if hasattr(v, "strftime") else ("" if v is None else v) for v in gone]
                        + [stamp, "true"])
    rating_file = to_folder_layout(raw, "support", "satisfaction_ratings", "2026-06-30") / "2026-07-02-late.csv"
    rating_file.write_text(
        "rating_id,ticket_id,score,comment,created_at,_loaded_at,_is_deleted\n"
        f"RAT-LATE-1,{rerated},bad,,2026-07-02T22:00:00Z,{stamp},false\n")
    return {"unreplied": unreplied, "moved_from": moved[1], "moved_to": moved_to, "unsolved": unsolved[1],
            "gone": gone[0], "rerated": rerated}


def test_append_day_adds_every_kind_of_row(builds):
    first, second = builds["days"]
    assert first["previous_as_of_date"] == "2026-06-30" and first["as_of_date"] == "2026-07-01"
    assert second["as_of_date"] == "2026-07-02"
    for summary in (first, second):
        for table in ("product.workspace_usage_daily", "support.ticket_events", "crm.activities",
                      "survey.responses"):
            assert summary["rows"][table] > 0, (table, summary)
    assert not first["truth_stale"]  # the copy has no _truth/ (append_day marks one where it exists)


def test_late_updates_and_soft_deletes_reach_the_incremental_build(builds):
    """The appended days hold re-delivered rows that supersede or delete existing records."""
    with duckdb.connect(str(builds["inc_db"]), read_only=True) as con:
        for model in INCREMENTAL:
            deleted, superseded_old = con.execute(
                f"select count(*) filter (_dq_status = 'deleted' and _loaded_at >= timestamp '2026-07-01'), "
                f"count(*) filter (_dq_status = 'superseded' and _loaded_at < timestamp '2026-07-01') "
                f"from staging.{model}"
            ).fetchone()
            assert deleted > 0, model
            assert superseded_old > 0, model
        (as_of,) = con.execute("select * from intermediate.int_as_of").fetchone()[:1]
    assert as_of == date(2026, 7, 2)  # the re-extracted billing charges move the default as-of date


def test_incremental_equals_full_refresh_for_every_model(builds):
    incremental, full = relation_digests(builds["inc_db"]), relation_digests(builds["full_db"])
    assert set(incremental) == set(full), set(incremental) ^ set(full)
    assert len(full) >= 70
    differing = {rel: (incremental[rel], full[rel]) for rel in full if incremental[rel] != full[rel]}
    assert not differing, f"incremental build differs from --full-refresh: {differing}"
    for model in INCREMENTAL:
        assert full[f"staging.{model}"][0] > 0, model


def test_tables_built_by_other_versions_of_their_models_are_rebuilt_in_full(builds):
    """No --full-refresh needed when an incremental model's columns change: the first run drops
    each table whose columns are not the documented ones and builds it in full (the base table
    with `_source_file_id` on every row), and says so; the later runs keep them (the comparisons
    with --full-refresh, column for column, hold)."""
    rows, with_file_id = builds["upgraded"]
    assert rows > 0 and with_file_id == rows
    first, *later = builds["logs"]
    assert ("staging.base_billing__payments was built by another version of base_billing__payments "
            "(without _source_file_id)") in first
    assert ("was built by another version of int_support_ticket_events__summarized (without "
            "latest_known_status, last_status_change_at, _csw_known_until_at)") in first
    assert ("was built by another version of int_crm_activities__account_month "
            "(with legacy_count no longer written)") in first
    assert first.count("was built by another version") == 3
    assert not any("was built by another version" in log for log in later)


def test_incremental_equals_full_refresh_after_a_late_extract(builds):
    """Before any table is reloaded: the daily runs and the late extract (an old month's usage
    moved to another account, a soft delete, an account merge) built incrementally equal
    --full-refresh, model by model (incremental usage aggregate and adoption included)."""
    incremental, full = builds["late"]["digests"]
    assert set(incremental) == set(full), set(incremental) ^ set(full)
    differing = {rel: (incremental[rel], full[rel]) for rel in full if incremental[rel] != full[rel]}
    assert not differing, f"incremental build differs from --full-refresh: {differing}"


def test_daily_runs_were_incremental(builds):
    """A daily run loaded only the day's new extract files into raw, and its incremental models
    deleted and inserted only the keys with a row in those files: a small share of the table."""
    day_log = builds["logs"][1]
    assert "reloaded in full" not in day_log
    for model, (source, table) in INCREMENTAL.items():
        assert f"Loaded raw file {builds['raw']}/{source}/{table}/2026-07-02.csv" in day_log, model
        assert f"/{source}/{table}/2026-06-30.csv" not in day_log, model  # the first extract: not read again
        assert "delete from" in builds["run_sql"][model].lower(), model
        assert "_source_file_id not in" in builds["compiled"][model], model
    for model in INCREMENTAL_UNCHANGED:  # incremental too, with no new file to build
        assert "_source_file_id not in" in builds["compiled"][model], model
    # the keys a daily run recomputes: those with a row in that day's file (the first day's: the
    # second day's activities extract is removed later on)
    with duckdb.connect(str(builds["inc_db"]), read_only=True) as con:
        for model, (source, table) in INCREMENTAL.items():
            key = "_record_key"
            (raw_rows, day_rows, recomputed) = con.execute(f"""
                select
                    count(*),
                    count(*) filter (where _source_file like '%/2026-07-01.csv'),
                    count(*) filter (where {key} in (
                        select {key} from staging.{model} where _source_file like '%/2026-07-01.csv'))
                from staging.{model}
            """).fetchone()
            assert 0 < day_rows <= recomputed < raw_rows / 2, (model, day_rows, recomputed, raw_rows)


def test_rewritten_and_removed_extracts_reload_their_tables_in_full(builds):
    """A loaded extract that changed or disappeared: the loader reloads that table in full and
    names the file; the other tables are left as loaded; the result equals --full-refresh (above),
    also for the usage aggregate, which the reset of its base model resets."""
    log = builds["logs"][-1]
    assert (f"Raw table raw.support__ticket_events is reloaded in full: {builds['rewritten']} changed "
            "since it was loaded") in log
    assert ("Raw table raw.crm__activities is reloaded in full: 1 loaded file(s) removed "
            f"({builds['removed']})") in log
    assert "Raw table raw.product__workspace_usage_daily is reloaded in full: 1 loaded file(s) removed" in log
    assert "raw.survey__responses is reloaded" not in log
    with duckdb.connect(str(builds["inc_db"]), read_only=True) as con:
        (files,) = con.execute(
            "select count(*) from main.csw_raw_manifest where path = ?", [str(builds["removed"])]).fetchone()
        assert files == 0



def test_generate_day_cli_copies_and_is_deterministic(gen_dir, tmp_path):
    """`csw generate-day --out` leaves the source untouched, marks `_truth/` stale, same seed = same bytes."""
    from csw.cli import main

    files = sorted(p.relative_to(gen_dir) for p in gen_dir.rglob("*.csv") if "_truth" not in p.parts)
    before = {p: (gen_dir / p).read_bytes() for p in files}
    for out in ("a", "b"):
        assert main(["generate-day", "--raw-dir", str(gen_dir), "--out", str(tmp_path / out), "--seed", "7"]) == 0
    assert {p: (gen_dir / p).read_bytes() for p in files} == before
    written = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv")
                     if "_truth" not in p.parts)
    for p in written:
        assert (tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes(), p
    for p in files:
        # every file delivered before is still there, unchanged, in its table's folder now
        moved = p.parent / p.stem / "2026-06-30.csv"
        kept = p if p in written else moved
        assert (tmp_path / "a" / kept).read_bytes() == before[p], p
    new = [p for p in written if p.name == "2026-07-01.csv"]
    assert {str(p.parent) for p in new} >= {"product/workspace_usage_daily", "support/ticket_events",
                                           "crm/activities", "survey/responses", "billing/subscription_charges"}
    marker = json.loads((tmp_path / "a" / "_truth" / "appended.json").read_text())
    assert marker["appended_days"] == ["2026-07-01"]


def test_usage_aggregate_recomputes_only_the_pairs_touched(builds):
    """int_workspace_usage__account_month, on the run of the late extract: it rewrote the pairs of
    the rows the base model rewrote, a small share, among them an old month's pair of the account
    a usage row left and of the account it moved to; the merge needs no rewrite there (adoption
    maps accounts to customers after the aggregate). After the late extract was withdrawn, the
    pair of the account that had usage that month only through it is gone (reset)."""
    late = builds["late"]
    total, written = late["written"]
    assert 0 < written < total / 2, late["written"]
    # the second daily run compiled the incremental branch (the pairs of base rows written since)
    assert "where _csw_built_at > coalesce(" in (
        builds["compiled"]["int_workspace_usage__account_month"])
    pairs = {account: (days, rows) for account, _, days, rows in late["pairs"]}
    assert set(pairs) == {late["from_account"], late["to_account"]}, late
    assert pairs[late["to_account"]][1] == 1, pairs
    with duckdb.connect(str(builds["inc_db"]), read_only=True) as con:
        (survivor,) = con.execute(
            "select surviving_account_id from intermediate.int_crm_accounts__merge_resolved where account_id = ?",
            [late["merged"]]).fetchone()
        assert survivor == late["survivor"]
        (vanished,) = con.execute(
            "select count(*) from intermediate.int_workspace_usage__account_month "
            "where crm_account_id = ? and usage_month = ?", [late["to_account"], late["month"]]).fetchone()
        assert vanished == 0


def test_ticket_summary_recomputes_only_the_tickets_touched(builds):
    """int_support_ticket_events__summarized, on the run of the late extracts: it rewrote a small
    share of its rows, among them the tickets of the late events (also the ticket a re-delivered
    event left), the re-rated ticket; the soft-deleted ticket's row is gone. The result equals
    --full-refresh (test_incremental_equals_full_refresh_after_a_late_extract)."""
    late = builds["late"]["tickets"]
    total, written, tickets = late["written"]
    assert 0 < written < total / 2, late["written"]
    assert "where _csw_built_at > coalesce(" in builds["compiled"]["int_support_ticket_events__summarized"]
    assert {late["unreplied"], late["moved_from"], late["moved_to"], late["unsolved"], late["rerated"]} <= set(
        tickets), late
    rows = late["rows"]
    assert late["gone"] not in rows
    assert rows[late["unreplied"]][0] is not None
    assert rows[late["moved_to"]][0] is not None
    assert rows[late["rerated"]][2] == "bad"


def test_activity_aggregate_recomputes_only_the_triples_touched(builds):
    """int_crm_activities__account_month, on the second daily run: it rewrote the (account, month,
    activity type) triples of the base rows that run wrote (the day's activities and the keys it
    re-delivered), a small share. Its reset, after the day's activities extract was removed, and
    its equality with --full-refresh are checked above (test_incremental_equals_full_refresh_*)."""
    total, written = builds["activities_written"]
    assert 0 < written < total / 2, builds["activities_written"]
    assert "where _csw_built_at > coalesce(" in builds["compiled"]["int_crm_activities__account_month"]


def test_health_snapshot_recomputes_only_the_customer_months_touched(builds):
    """A daily run recomputes the health components of the customer months from each changed
    customer's first changed month (int_customer_health__input_fingerprints): the new as-of month
    and a few customers' later months, a small share of the table; the result equals
    --full-refresh (test_incremental_equals_full_refresh_for_every_model)."""
    total, written = builds["health_written"]
    assert 0 < written < total / 3, (written, total)


def test_a_late_cancellation_removes_the_later_health_snapshots(builds):
    """The late cancellation (two months back) removed its customer's last months from the MRR
    spine; the incremental health snapshot deleted them too (and equals --full-refresh above)."""
    cancellation = builds["late"]["cancellation"]
    with duckdb.connect(str(builds["inc_db"]), read_only=True) as con:
        (after,) = con.execute("select count(*) from marts.fct_customer_health where customer_id = ? "
                               "and month >= ?", [cancellation["customer"],
                                                  cancellation["canceled_on"].replace(day=1)]).fetchone()
    assert cancellation["months"] >= 6
    assert after == 0, cancellation
