"""Source freshness in `csw build` (scripts/csw/freshness.py).

End to end on a copy of tests/fixtures/raw_small whose `_loaded_at` values are moved
relative to now: crm.users fresh (pass), support.tickets 30 hours old (warn: a daily feed),
billing.invoices left in 2025 (error). The build selects one tiny model; the loader
still loads every raw table, and freshness runs over all of them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from argparse import Namespace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from csw.cli import build_parser
from rich.console import Console

from csw import freshness
from csw.freshness import (FreshnessReport, check_build_freshness, exit_code, format_age, parse_results,
                           print_freshness)

PROJECT_DIR = Path(__file__).resolve().parents[2]
FIXTURE_DIR = PROJECT_DIR / "tests" / "fixtures" / "raw_small"


def _set_loaded_at(path: Path, when: datetime) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("_loaded_at")
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    for row in rows[1:]:
        row[column] = stamp
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("freshness") / "raw"
    shutil.copytree(FIXTURE_DIR, target)
    now = datetime.now(timezone.utc)
    for path in target.glob("*/*.csv"):
        if path.relative_to(target).as_posix() == "billing/invoices.csv":
            continue  # stays in 2025: error-level stale
        _set_loaded_at(path, now - timedelta(hours=1))
    _set_loaded_at(target / "support" / "tickets.csv", now - timedelta(hours=30))
    return target


@pytest.fixture(scope="module")
def strict_build(raw_dir: Path, tmp_path_factory) -> tuple[int, str, FreshnessReport, Path]:
    """One `csw build --freshness error` (one dbt build + one freshness run) for the module.

    Default (warn) mode end to end is the demo build (conftest `demo_published`) and the
    fault-matrix case that reads its report: their data is old (a fixed as-of date) and they
    must exit 0. The suite's other builds skip freshness (conftest).
    """
    db = tmp_path_factory.mktemp("freshness_db") / "w.duckdb"
    console = Console(record=True, width=200, file=io.StringIO())
    args = build_parser().parse_args(["build", "--raw-dir", str(raw_dir), "--db", str(db),
                                      "--select", "base_crm__users", "--no-progress", "--freshness", "error"])
    rc = args.func(args, console)
    text = " ".join(console.export_text().split())
    # the build's own judgement, measured again on its warehouse (the session's dbt target path)
    manifest = json.loads((freshness._target_path([]) / "manifest.json").read_text())
    measured = freshness.duckdb_source_freshness(db, manifest, datetime.now(timezone.utc))
    return rc, text, FreshnessReport(parse_results(measured, manifest)), db


def test_strict_mode_fails_the_build_naming_the_stale_table(strict_build):
    rc, text, _, _ = strict_build

    assert rc == 1
    assert "source freshness (mode error)" in text
    assert "stale source billing.invoices (raw.billing__invoices)" in text
    assert "(error after 48h)" in text
    # warn-level (30h) is shown, never fatal
    assert "support.tickets WARN" in text
    assert "crm.users PASS" in text
    assert "stale source support.tickets" not in text
    assert "FRESHNESS FAILED" in text


def test_warn_mode_reports_the_stale_source_and_passes(strict_build):
    _, _, report, _ = strict_build
    console = Console(record=True, width=200, file=io.StringIO())

    print_freshness(console, report, "warn")
    text = " ".join(console.export_text().split())

    assert exit_code(report, "warn") == 0
    assert "source freshness (mode warn)" in text
    assert "billing.invoices ERROR" in text
    assert "support.tickets WARN" in text
    assert "crm.users PASS" in text
    assert "1 error" in text and "mode warn: reported only" in text
    assert "stale source billing" not in text  # the table is the report; no failure lines


def test_in_process_freshness_agrees_with_dbt_source_freshness(strict_build, raw_dir: Path):
    """csw build measures freshness on DuckDB in its own process; `dbt source freshness` on the same
    warehouse gives every source the same status and latest load (ages differ by the seconds between)."""
    from csw.dbt_env import dbt_environment

    *_, report, db = strict_build
    env = {**dbt_environment(raw_dir, db, "dev"), "CSW_SKIP_RAW_LOAD": "1"}
    by_dbt = freshness.run_source_freshness("dev", None, env)
    assert len(by_dbt.sources) == len(report.sources) == 18
    for ours, theirs in zip(report.sources, by_dbt.sources):
        assert (ours.source, ours.relation, ours.status, ours.warn_after, ours.error_after) == (
            theirs.source, theirs.relation, theirs.status, theirs.warn_after, theirs.error_after)
        assert datetime.fromisoformat(ours.max_loaded_at) == datetime.fromisoformat(theirs.max_loaded_at)
        assert abs(ours.age_seconds - theirs.age_seconds) < 600


def _result(table: str, status: str, age: float | None = 3600.0, **extra) -> dict:
    return {"unique_id": f"source.customer_success_warehouse.{table}", "status": status,
            "max_loaded_at": "2026-06-30T23:00:00+00:00", "max_loaded_at_time_ago_in_s": age,
            "criteria": {"warn_after": {"count": 24, "period": "hour"},
                         "error_after": {"count": 48, "period": "hour"}}} | extra


def test_judging_rules():
    manifest = {"sources": {"source.customer_success_warehouse.crm.users":
                            {"schema": "raw", "identifier": "crm__users"}}}
    fresh = parse_results({"results": [_result("crm.users", "pass"), _result("crm.accounts", "warn")]}, manifest)
    assert [s.relation for s in fresh] == ["crm.accounts", "raw.crm__users"]  # sorted by source
    assert fresh[1].warn_after == "24h" and fresh[1].error_after == "48h"
    assert exit_code(FreshnessReport(fresh), "error") == 0  # warn-level never fails

    stale = parse_results({"results": [_result("crm.users", "error", age=200000.0)]})
    assert exit_code(FreshnessReport(stale), "error") == 1
    assert exit_code(FreshnessReport(stale), "warn") == 0

    broken = parse_results({"results": [{"unique_id": "source.p.crm.users", "status": "runtime error",
                                         "error": "Conversion Error"}]})
    assert broken[0].message == "Conversion Error"
    assert exit_code(FreshnessReport(broken), "error") == 1
    assert exit_code(FreshnessReport([]), "error") == 1  # no result is no evidence of freshness


def test_missing_optional_source_is_empty_not_stale():
    uid = "source.customer_success_warehouse.product.workspace_usage_daily"
    manifest = {"sources": {uid: {"schema": "raw", "identifier": "product__workspace_usage_daily",
                                  "config": {"meta": {"optional": True}}}}}
    # dbt reports an empty table as loaded at 0001-01-01
    results = {"results": [_result("product.workspace_usage_daily", "error", age=6.4e10,
                                   max_loaded_at="0001-01-01T00:00:00+00:00")]}
    [empty] = parse_results(results, manifest)
    assert (empty.status, empty.age_seconds) == ("empty", None)
    assert exit_code(FreshnessReport([empty]), "error") == 0
    # a required source with an empty table stays error-level stale
    manifest["sources"][uid]["config"]["meta"] = {}
    assert exit_code(FreshnessReport(parse_results(results, manifest)), "error") == 1


def test_off_mode_runs_nothing():
    args = Namespace(freshness="off", as_of=None, target="dev", no_progress=True)
    assert check_build_freshness(args, env={}, console=None) == 0


@pytest.mark.parametrize("seconds, text", [(None, "-"), (59, "0m"), (3 * 3600 + 60, "3h 1m"),
                                           (12571630, "145d 12h")])
def test_format_age(seconds, text):
    assert format_age(seconds) == text


def test_unknown_freshness_mode_is_a_usage_error(monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(SystemExit) as excinfo:
        build_parser().parse_args(["build", "--raw-dir", "x", "--freshness", "strict"])
    assert excinfo.value.code == 2
    monkeypatch.delenv("CSW_FRESHNESS", raising=False)  # conftest turns it off for the suite
    assert build_parser().parse_args(["build", "--raw-dir", "x"]).freshness == "warn"
    monkeypatch.setenv("CSW_FRESHNESS", "error")
    assert build_parser().parse_args(["build", "--raw-dir", "x"]).freshness == "error"


def test_a_bad_csw_freshness_value_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys):
    monkeypatch.setenv("CSW_FRESHNESS", "strict")
    with pytest.raises(SystemExit) as excinfo:  # a usage error while the arguments are parsed
        build_parser().parse_args(["build", "--raw-dir", str(tmp_path), "--db", str(tmp_path / "w.duckdb")])
    assert excinfo.value.code == 2
    assert "not 'strict' (from CSW_FRESHNESS)" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()
