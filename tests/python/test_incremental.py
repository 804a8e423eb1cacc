"""Incremental builds give exactly the full-refresh result.

A 300-account x 18-month dataset with every fault is built once; then two days are appended
(csw generate-day: new rows, late arrivals, late updates, soft deletes, DECISIONS.md) and after
each the same database is built again, incrementally. The final raw directory is then built with
`--full-refresh` into a second database, and every table and view in staging, intermediate and
marts must hold the same rows (row count and md5 of the sorted rows' text), model by model.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from csw.generator.increment import append_day
from csw.runner import run_dbt

FULL_RUN = ["build", "--resource-type", "seed", "--resource-type", "model"]
INCREMENTAL = {
    "base_support__ticket_events": ("support", "ticket_events"),
    "base_crm__activities": ("crm", "activities"),
    "base_survey__responses": ("survey", "responses"),
    "base_product__workspace_usage_daily": ("product", "workspace_usage_daily"),
}
SCHEMAS = ("staging", "intermediate", "marts")


def _dbt(root: Path, raw_dir: Path, db_path: Path, *args: str):
    result = run_dbt(
        [*args, "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        env={"CSW_RAW_DIR": str(raw_dir), "CSW_DB_PATH": str(db_path), "CSW_HASH_SALT": "pytest-salt"},
        show_progress=False,
    )
    assert result.success, result.text
    return result


def _digests(db_path: Path) -> dict[str, tuple[int, str]]:
    """(row count, md5 of the rows' text in sorted order) of every relation in the built schemas."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts') order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{name}": con.execute(
                "select count(*), md5(coalesce(string_agg(cast(t as varchar), '\n' "
                f"order by cast(t as varchar)), '')) from \"{schema}\".\"{name}\" as t"
            ).fetchone()
            for schema, name in relations
        }


@pytest.fixture(scope="module")
def builds(gen_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    raw = root / "raw"
    shutil.copytree(gen_dir, raw, ignore=shutil.ignore_patterns("_truth"))
    inc_db, full_db = root / "incremental.duckdb", root / "full.duckdb"
    _dbt(root, raw, inc_db, *FULL_RUN)
    days = []
    for seed in (1, 2):
        days.append(append_day(raw, seed=seed))
        _dbt(root, raw, inc_db, *FULL_RUN)
    # what the last incremental run executed and selected
    run_sql = {m: next((root / "target" / "run").rglob(f"{m}.sql")).read_text() for m in INCREMENTAL}
    compiled = {m: next((root / "target" / "compiled").rglob(f"{m}.sql")).read_text() for m in INCREMENTAL}
    _dbt(root, raw, full_db, *FULL_RUN, "--full-refresh")
    return {"root": root, "raw": raw, "inc_db": inc_db, "full_db": full_db, "days": days,
            "run_sql": run_sql, "compiled": compiled}


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
    incremental, full = _digests(builds["inc_db"]), _digests(builds["full_db"])
    assert set(incremental) == set(full), set(incremental) ^ set(full)
    assert len(full) >= 70
    differing = {rel: (incremental[rel], full[rel]) for rel in full if incremental[rel] != full[rel]}
    assert not differing, f"incremental build differs from --full-refresh: {differing}"
    for model in INCREMENTAL:
        assert full[f"staging.{model}"][0] > 0, model


def test_last_runs_were_incremental(builds):
    """The incremental runs deleted and inserted the affected keys only, and selected fewer rows."""
    with duckdb.connect(str(builds["inc_db"]), read_only=True) as con:
        for model, (source, table) in INCREMENTAL.items():
            assert "delete from" in builds["run_sql"][model].lower(), model
            assert "max(_loaded_at)" in builds["compiled"][model], model
            (raw_rows,) = con.execute(f"select count(*) from raw.{source}__{table}").fetchone()
            (selected,) = con.execute(f"select count(*) from ({builds['compiled'][model]}) as t").fetchone()
            assert 0 < selected < raw_rows / 2, (model, selected, raw_rows)



def test_generate_day_cli_copies_and_is_deterministic(gen_dir, tmp_path):
    """`csw generate-day --out` leaves the source untouched, marks `_truth/` stale, same seed = same bytes."""
    from csw.cli import main

    files = sorted(p.relative_to(gen_dir) for p in gen_dir.rglob("*.csv") if "_truth" not in p.parts)
    before = {p: (gen_dir / p).read_bytes() for p in files}
    for out in ("a", "b"):
        assert main(["generate-day", "--raw-dir", str(gen_dir), "--out", str(tmp_path / out), "--seed", "7"]) == 0
    assert {p: (gen_dir / p).read_bytes() for p in files} == before
    for p in files:
        a, b = (tmp_path / "a" / p).read_bytes(), (tmp_path / "b" / p).read_bytes()
        assert a == b, p
        assert a.startswith(before[p]), f"{p}: rows must only be appended"
    marker = json.loads((tmp_path / "a" / "_truth" / "appended.json").read_text())
    assert marker["appended_days"] == ["2026-07-01"]
