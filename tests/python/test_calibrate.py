"""`csw calibrate-health`: logistic-regression weights, out-of-time split, seeds written.

A small hand-made warehouse (no dbt build): 36 monthly snapshots of 300 customers whose churn
within 90 days depends on the support and sentiment components only.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest

from csw.calibrate import (
    COMPONENTS, CalibrationError, fit, integer_weights, weighted_score, write_seeds,
)
from csw.cli import main


def _month(i: int) -> date:
    return date(2023 + i // 12, i % 12 + 1, 1)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    rows = []
    for m in range(36):
        month = _month(m)
        end = _month(m + 4)  # outcome window end ~ month end + 90 days, after the next 3 months
        for c in range(300):
            s = rng.uniform(0, 100, 5)
            adoption = None if c % 10 == 0 else s[0]  # some missing adoption
            logit = -3 + 4 * (100 - s[2]) / 100 + 4 * (100 - s[3]) / 100 - 3
            churned = bool(rng.random() < 1 / (1 + np.exp(-logit)))
            rows.append((f"C{c}", month, end, churned, adoption, *s[1:]))
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_health_backtest_snapshots (customer_id varchar, month date,"
        " outcome_window_end_date date, churned_within_90d boolean)"
    )
    con.execute(
        "create table marts.fct_customer_health (customer_id varchar, month date,"
        " adoption_score decimal(4,1), engagement_score decimal(4,1), support_score decimal(4,1),"
        " sentiment_score decimal(4,1), financial_score decimal(4,1))"
    )
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["customer_id", "month", "outcome_window_end_date",
                                        "churned_within_90d", *(f"{c}_score" for c in COMPONENTS)])
    con.register("frame", frame)
    con.execute("insert into marts.fct_health_backtest_snapshots select customer_id, month,"
                " outcome_window_end_date, churned_within_90d from frame")
    con.execute("insert into marts.fct_customer_health select customer_id, month, adoption_score,"
                " engagement_score, support_score, sentiment_score, financial_score from frame")
    con.close()
    return db


def test_fit_finds_the_components_that_drive_churn(warehouse: Path) -> None:
    result = fit(warehouse)
    w = result.fitted_weights
    assert sum(w.values()) == 100 and min(w.values()) >= 1
    assert w["support"] > w["adoption"] and w["sentiment"] > w["financial"], w
    assert result.auc["fitted"]["valid"] > result.auc["hand"]["valid"], result.auc


def test_split_is_out_of_time(warehouse: Path) -> None:
    """Training labels all end before the split; validation starts at it."""
    result = fit(warehouse, split_month=date(2025, 1, 1))
    # months 0..19 have outcome windows (month + 4) ending before 2025-01-01 (month 24)
    assert result.train_snapshots == 20 * 300
    assert result.valid_snapshots == 12 * 300  # 2025-01 .. 2025-12
    with pytest.raises(CalibrationError, match="too little validation"):
        fit(warehouse, split_month=date(2030, 1, 1))


def test_weighted_score_redistributes_missing_weight() -> None:
    scores = np.array([[np.nan, 80, 100, 60, 100], [40, 80, 100, 60, 100]])
    weights = {"adoption": 25, "engagement": 20, "support": 20, "sentiment": 15, "financial": 20}
    # the fct_customer_health unit test's numbers: 86.7 without adoption, 75.0 with it
    assert list(weighted_score(scores, weights)) == [86.7, 75.0]


def test_integer_weights_sum_to_100_each_at_least_1() -> None:
    w = integer_weights(np.array([2.0, -0.5, 1.0, 1.0, 0.001]))
    assert sum(w.values()) == 100 and w["engagement"] == 1 and w["financial"] == 1
    assert w["adoption"] > w["support"] and abs(w["support"] - w["sentiment"]) <= 1
    with pytest.raises(CalibrationError):
        integer_weights(np.array([-1.0, -1, -1, -1, -1]))


def test_cli_writes_weights_and_figures(warehouse: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "health_weights.csv").write_text(
        "component,weight,hand_weight,fitted_coefficient\n"
        + "".join(f"{c},{w},{w},\n" for c, w in zip(COMPONENTS, (30, 10, 20, 20, 20), strict=True)),
        encoding="utf-8",
    )
    assert main(["calibrate-health", "--db", str(warehouse), "--seeds-dir", str(seeds)]) == 0
    rows = list(csv.DictReader((seeds / "health_weights.csv").open(encoding="utf-8")))
    assert [r["component"] for r in rows] == list(COMPONENTS)
    assert [int(r["hand_weight"]) for r in rows] == [30, 10, 20, 20, 20]
    assert sum(int(r["weight"]) for r in rows) == 100
    figures = {r["figure"]: r for r in csv.DictReader((seeds / "health_weights_fit.csv").open())}
    assert {"split_month", "roc_auc_valid", "train_snapshots"} <= set(figures)
    assert float(figures["roc_auc_valid"]["fitted_value"]) > 0.5


def test_write_seeds_keeps_hand_weights(warehouse: Path, tmp_path: Path) -> None:
    result = fit(warehouse)
    write_seeds(result, tmp_path)
    text = (tmp_path / "health_weights.csv").read_text(encoding="utf-8")
    assert text.startswith("component,weight,hand_weight,fitted_coefficient\n")
