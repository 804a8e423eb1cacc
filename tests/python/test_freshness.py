"""Source freshness in `csw build` (scripts/csw/freshness.py).

End to end on a copy of tests/fixtures/raw_small whose `_loaded_at` values are moved
relative to now: crm.users fresh (pass), support.organizations 30 hours old (warn),
billing.invoices left in 2025 (error). The build selects one tiny model; the loader
still loads every raw table, and freshness runs over all of them.
"""

from __future__ import annotations

import csv
import shutil
from argparse import Namespace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from csw.cli import build_parser, main
from csw.freshness import check_build_freshness, exit_code, format_age, FreshnessReport, parse_results

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
    _set_loaded_at(target / "support" / "organizations.csv", now - timedelta(hours=30))
    return target


def _build(raw_dir: Path, tmp_path: Path, capsys, mode: str) -> tuple[int, str]:
    rc = main(["build", "--raw-dir", str(raw_dir), "--db", str(tmp_path / "w.duckdb"),
               "--select", "base_crm__users", "--no-progress", "--freshness", mode])
    text = " ".join(capsys.readouterr().err.split())  # undo rich's line wrapping
    return rc, text


def test_stale_source_is_reported_but_does_not_fail_by_default(raw_dir: Path, tmp_path: Path, capsys):
    rc, text = _build(raw_dir, tmp_path, capsys, "warn")

    assert rc == 0, text
    assert "source freshness (mode warn)" in text
    assert "billing.invoices ERROR" in text
    assert "support.organizations WARN" in text
    assert "crm.users PASS" in text
    assert "1 error" in text and "mode warn: reported only" in text


def test_strict_mode_fails_the_build_naming_the_stale_table(raw_dir: Path, tmp_path: Path, capsys):
    rc, text = _build(raw_dir, tmp_path, capsys, "error")

    assert rc == 1
    assert "stale source billing.invoices (raw.billing__invoices)" in text
    assert "(error after 48h)" in text
    # warn-level (30h) is shown, never fatal
    assert "support.organizations WARN" in text
    assert "stale source support.organizations" not in text
    assert "FRESHNESS FAILED" in text


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


def test_unknown_freshness_mode_is_a_usage_error():
    with pytest.raises(SystemExit) as excinfo:
        build_parser().parse_args(["build", "--raw-dir", "x", "--freshness", "strict"])
    assert excinfo.value.code == 2
    assert build_parser().parse_args(["build", "--raw-dir", "x"]).freshness == "warn"
