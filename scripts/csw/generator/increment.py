"""One more day of raw data, appended to a generated raw directory.

    from csw.generator.increment import append_day
    append_day(Path("data/run"))                      # in place
    append_day(Path("data/run"), Path("data/run+1"))  # copy, then append

The new day ``D`` is the day after the dataset's as-of date (the date of the
latest ``_loaded_at`` in ``billing.subscription_charges``, metrics.md). Every
appended row has ``_loaded_at`` on ``D`` (the source's extract hour, UTC) and
follows docs/spec/raw_sources.md. The day is written the way an extract-load tool
delivers a daily increment: one new file per table, ``<source>/<table>/<D>.csv``, in the
folder layout; a table still held as one file ``<table>.csv`` is first moved into its folder
as ``<table>/<previous as-of date>.csv`` (:func:`to_folder_layout`; the raw loader then reloads
that table in full once, since its file moved). Nothing already delivered is rewritten:

* new rows for ``D``: product usage of every workspace active on the last day,
  support tickets and ticket events, CRM activities and survey responses
  (cloned from the last day's rows under fresh keys, event times moved one day);
* late-arriving rows: a few fresh-key rows whose event time is three days back;
* late updates: a few existing records re-delivered with a changed value;
* soft deletes: a few existing records re-delivered with ``_is_deleted = true``;
* the live billing subscription charges re-extracted unchanged (so the default
  as-of date moves to ``D``).

Everything is set-based DuckDB SQL over the raw files (no Python row loops);
only the product usage file is large and it is scanned once. Same input and
``seed`` give the same rows.

The dataset's ``_truth/`` describes the generated data only: after an append it
no longer matches, so ``_truth/appended.json`` lists the appended days and
:func:`append_day` reports ``truth_stale``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from csw.generator.schema import EXTRACT_HOUR, SPECS
from csw.rawfiles import duckdb_literal_path, list_table_files
from csw.sql import literal

# Share of existing records re-delivered as late updates / soft deletes, per table
# (at least 2 of each), and of new rows sent again as late arrivals (at least 2).
UPDATE_SHARE = 0.0005
DELETE_SHARE = 0.0003
LATE_SHARE = 0.05
LATE_DAYS = 3
TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# (source, table): key column, event-time column, late-update expression (SQL over the raw row).
EVENT_TABLES = {
    ("support", "tickets"): ("ticket_id", "created_at", {"priority": "'high'"}),
    ("support", "ticket_events"): ("event_id", "created_at",
                                   {"created_at": f"strftime(__ev + interval 1 minute, '{TS_FORMAT}')"}),
    ("crm", "activities"): ("activity_id", "occurred_at", {"subject": "coalesce(subject, '') || ' (edited)'"}),
    ("survey", "responses"): ("response_id", "submitted_at", {"comment": "'Updated: ' || coalesce(comment, '')"}),
}


def _paths(raw_dir: Path, source: str, table: str) -> list[str]:
    """The table's raw files (one file, or a folder of extracts), as the loader finds them."""
    return list_table_files(raw_dir, source, table, optional=True)[0]


def _reader(paths: list[str]) -> str:
    """The loader's CSV options (macros/loader/load_raw_sources.sql), over every file of a table."""
    files = ", ".join(literal(duckdb_literal_path(p)) for p in paths)
    return (f"read_csv([{files}], header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"', union_by_name = true)")


def to_folder_layout(raw_dir: Path, source: str, table: str, extract_name: str) -> Path:
    """The table's folder ``<source>/<table>/``; a table held as one file ``<table>.csv`` is moved
    into it first, as ``<extract_name>.csv`` (raw_sources.md allows both layouts)."""
    folder = Path(raw_dir) / source / table
    single = Path(raw_dir) / source / f"{table}.csv"
    if single.is_file() and not folder.exists():
        folder.mkdir()
        single.rename(folder / f"{extract_name}.csv")
    folder.mkdir(exist_ok=True)
    return folder


def _columns(source: str, table: str) -> list[str]:
    return SPECS[(source, table)].column_names


def _last_day(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> date:
    """The as-of date of the raw data: date of the latest billing.subscription_charges _loaded_at."""
    paths = _paths(raw_dir, "billing", "subscription_charges")
    (day,) = con.execute(
        f"select max(try_cast(_loaded_at as timestamptz))::date from {_reader(paths)}"
    ).fetchone()
    if day is None:
        raise ValueError(f"no parseable _loaded_at in {paths}")
    return day


def _write_extract(con: duckdb.DuckDBPyConnection, relation: str, raw_dir: Path, source: str, table: str,
                   day: date, order: str) -> int:
    """Write the rows of a temp relation as the day's extract ``<source>/<table>/<day>.csv``
    (header row, the table's columns); returns the row count. No rows, no file."""
    (count,) = con.execute(f"select count(*) from {relation}").fetchone()
    if count == 0:
        return 0
    folder = to_folder_layout(raw_dir, source, table, (day - timedelta(days=1)).isoformat())
    cols = ", ".join(_columns(source, table))
    target = folder / f"{day.isoformat()}.csv"
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        part = Path(tmp) / "part.csv"
        con.execute(
            f"copy (select {cols} from {relation} order by {order}) to {literal(part)} "
            "(format csv, header true, delimiter ',', quote '\"', escape '\"')"
        )
        part.replace(target)  # appears whole: a loader never sees half an extract
    return count


def _quota(n: int, share: float) -> int:
    return max(2, round(n * share))


def _event_table(con, raw_dir: Path, source: str, table: str, day: date, seed: int,
                 ticket_map: str | None = None) -> int:
    """Append new, late-arriving, late-updated and soft-deleted rows of an event table."""
    key, ev, updates = EVENT_TABLES[(source, table)]
    columns = _columns(source, table)
    paths = _paths(raw_dir, source, table)
    extract = f"(timestamptz '{day.isoformat()} 00:00:00+00' + interval {EXTRACT_HOUR[source]} hour)"
    stamp = day.strftime("%Y%m%d")
    # fresh keys: the template's key without an earlier append's suffix, plus -N/-L and the day
    base_key = f"regexp_replace({key}, '-[NL][0-9]{{8}}$', '')"
    last = day - timedelta(days=1)
    late = day - timedelta(days=LATE_DAYS)
    con.execute(f"""
        create or replace temp table src as
        select *, try_cast(_loaded_at as timestamptz) as __loaded, try_cast({ev} as timestamptz) as __ev
        from {_reader(paths)}
    """)
    # The winning row of every clean, live record (not a fault row: fresh fault keys contain '-Z').
    con.execute(f"""
        create or replace temp table live as
        select * from src
        where {key} is not null and {key} not like '%-Z%' and __loaded is not null and __ev is not null
        qualify row_number() over (partition by {key} order by __loaded desc) = 1
            and _is_deleted = 'false'
    """)
    (n_live,) = con.execute("select count(*) from live").fetchone()
    ticket_expr = "ticket_id"
    if ticket_map is not None:
        ticket_expr = f"coalesce((select m.new_id from {ticket_map} as m where m.old_id = live.ticket_id), ticket_id)"
    set_ticket = f", {ticket_expr} as ticket_id" if "ticket_id" in columns and key != "ticket_id" else ""
    new_ev = f"strftime(least(__ev + interval 1 day, {extract} - interval 1 hour), '{TS_FORMAT}')"
    con.execute(f"""
        create or replace temp table add_rows as
        with fresh as (
            select * replace ({base_key} || '-N{stamp}' as {key}, {new_ev} as {ev},
                              strftime({extract}, '{TS_FORMAT}') as _loaded_at{set_ticket})
            from live where cast(timezone('UTC', __ev) as date) = date '{last}'
        ),
        late_arrivals as (
            select * replace ({base_key} || '-L{stamp}' as {key}, strftime({extract}, '{TS_FORMAT}') as _loaded_at)
            from live where cast(timezone('UTC', __ev) as date) = date '{late}'
            order by hash({key}, {seed}, 'late') limit {_quota(n_live, LATE_SHARE / 30)}
        ),
        updated as (
            select * replace ({", ".join(f"{expr} as {col}" for col, expr in updates.items())},
                              strftime({extract}, '{TS_FORMAT}') as _loaded_at)
            from live order by hash({key}, {seed}, 'update') limit {_quota(n_live, UPDATE_SHARE)}
        ),
        deleted as (
            select * replace ('true' as _is_deleted, strftime({extract}, '{TS_FORMAT}') as _loaded_at)
            from live where {key} not in (select {key} from updated)
            order by hash({key}, {seed}, 'delete') limit {_quota(n_live, DELETE_SHARE)}
        )
        select * from fresh
        union all select * from late_arrivals
        union all select * from updated
        union all select * from deleted
    """)
    if key == "ticket_id":
        con.execute(f"""
            create or replace temp table ticket_map as
            select {key} as old_id, {base_key} || '-N{stamp}' as new_id
            from live where cast(timezone('UTC', __ev) as date) = date '{last}'
        """)
    return _write_extract(con, "add_rows", raw_dir, source, table, day, f"{key}, _loaded_at")


def _usage(con, raw_dir: Path, day: date, seed: int) -> int:
    """Append usage for ``day`` (every workspace active on the day before), late rows, updates, deletes."""
    paths = _paths(raw_dir, "product", "workspace_usage_daily")
    if not paths:
        return 0
    extract = f"timestamptz '{day.isoformat()} {EXTRACT_HOUR['product']:02d}:00:00+00'"
    loaded = f"strftime({extract}, '{TS_FORMAT}')"
    last = day - timedelta(days=1)
    late = day - timedelta(days=LATE_DAYS)
    # One scan of the big file: only the last ten days of usage are needed.
    con.execute(f"""
        create or replace temp table recent as
        select *, try_cast(_loaded_at as timestamptz) as __loaded, try_cast(usage_date as date) as __day
        from {_reader(paths)}
        where try_cast(usage_date as date) >= date '{day - timedelta(days=10)}'
    """)
    con.execute(f"""
        create or replace temp table live as
        select * from recent
        where workspace_id is not null and workspace_id not like '%-Z%' and __loaded is not null
            and try_cast(active_users as bigint) is not null and try_cast(sessions as bigint) is not null
            and try_cast(key_feature_events as bigint) is not null
        qualify row_number() over (partition by workspace_id, usage_date order by __loaded desc) = 1
            and _is_deleted = 'false'
    """)
    (n_live,) = con.execute("select count(*) from live").fetchone()
    con.execute(f"""
        create or replace temp table add_rows as
        with fresh as (
            select * replace (
                cast(date '{day}' as varchar) as usage_date,
                cast(cast(sessions as bigint) * (90 + hash(workspace_id, {seed}, 's') % 21) // 100 as varchar)
                    as sessions,
                cast(cast(key_feature_events as bigint) * (90 + hash(workspace_id, {seed}, 'k') % 21) // 100
                    as varchar) as key_feature_events,
                {loaded} as _loaded_at)
            from live where __day = date '{last}'
        ),
        late_arrivals as (
            -- a workspace's usage of three days ago that was missing and arrives today
            select * replace (cast(date '{late}' as varchar) as usage_date, {loaded} as _loaded_at)
            from live as l
            where __day = date '{last}' and not exists (
                select 1 from recent as r where r.workspace_id = l.workspace_id and r.__day = date '{late}')
            order by hash(workspace_id, {seed}, 'late') limit {_quota(n_live // 10, LATE_SHARE)}
        ),
        updated as (
            select * replace (cast(cast(sessions as bigint) + 1 as varchar) as sessions, {loaded} as _loaded_at)
            from live where __day < date '{last}'
            order by hash(workspace_id, usage_date, {seed}, 'update') limit {_quota(n_live // 10, UPDATE_SHARE * 10)}
        ),
        deleted as (
            select * replace ('true' as _is_deleted, {loaded} as _loaded_at)
            from live where __day < date '{last}'
                and (workspace_id, usage_date) not in (select (workspace_id, usage_date) from updated)
            order by hash(workspace_id, usage_date, {seed}, 'delete') limit {_quota(n_live // 10, DELETE_SHARE * 10)}
        )
        select * from fresh
        union all select * from late_arrivals
        union all select * from updated
        union all select * from deleted
    """)
    return _write_extract(con, "add_rows", raw_dir, "product", "workspace_usage_daily", day,
                          "workspace_id, usage_date, _loaded_at")


def _charges(con, raw_dir: Path, day: date) -> int:
    """Re-extract the rows of the latest billing extract (the live charges) on ``day``, unchanged."""
    paths = _paths(raw_dir, "billing", "subscription_charges")
    extract = f"timestamptz '{day.isoformat()} {EXTRACT_HOUR['billing']:02d}:00:00+00'"
    # Materialized first: DuckDB 2.0 turns a try_cast under a filter into a strict cast in the CSV scan.
    con.execute(f"""
        create or replace temp table src as
        select *, try_cast(_loaded_at as timestamptz) as __loaded from {_reader(paths)}
    """)
    con.execute(f"""
        create or replace temp table add_rows as
        select * replace (strftime({extract}, '{TS_FORMAT}') as _loaded_at)
        from src
        where charge_id is not null and charge_id not like '%-Z%'
            and __loaded = (select max(__loaded) from src)
    """)
    return _write_extract(con, "add_rows", raw_dir, "billing", "subscription_charges", day, "charge_id")


def append_day(raw_dir: Path, out_dir: Path | None = None, seed: int = 0) -> dict:
    """Append one day of raw data to ``raw_dir`` (in place) or to a copy of it at ``out_dir``.

    Returns ``{"as_of_date", "previous_as_of_date", "rows": {"source.table": appended rows},
    "total_rows", "truth_stale", "seconds"}``.
    """
    t0 = time.perf_counter()
    raw_dir = Path(raw_dir)
    if out_dir is not None:
        out_dir = Path(out_dir)
        if out_dir.resolve() != raw_dir.resolve():
            shutil.rmtree(out_dir, ignore_errors=True)
            shutil.copytree(raw_dir, out_dir)
        raw_dir = out_dir
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    last = _last_day(con, raw_dir)
    day = last + timedelta(days=1)
    rows: dict[str, int] = {}
    rows["product.workspace_usage_daily"] = _usage(con, raw_dir, day, seed)
    rows["support.tickets"] = _event_table(con, raw_dir, "support", "tickets", day, seed)
    rows["support.ticket_events"] = _event_table(con, raw_dir, "support", "ticket_events", day, seed,
                                                 ticket_map="ticket_map")
    rows["crm.activities"] = _event_table(con, raw_dir, "crm", "activities", day, seed)
    rows["survey.responses"] = _event_table(con, raw_dir, "survey", "responses", day, seed)
    rows["billing.subscription_charges"] = _charges(con, raw_dir, day)
    con.close()
    truth = raw_dir / "_truth"
    if truth.is_dir():
        marker = truth / "appended.json"
        days = json.loads(marker.read_text())["appended_days"] if marker.exists() else []
        marker.write_text(json.dumps({
            "note": "raw data was appended after generation (csw generate-day); the other _truth files "
                    "describe the generated data only and no longer match the raw files",
            "appended_days": [*days, day.isoformat()],
        }, indent=2) + "\n")
    return {"as_of_date": day.isoformat(), "previous_as_of_date": last.isoformat(), "rows": rows,
            "total_rows": sum(rows.values()), "truth_stale": truth.is_dir(),
            "seconds": round(time.perf_counter() - t0, 2)}
