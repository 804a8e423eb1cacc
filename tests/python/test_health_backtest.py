"""The customer health score predicts churn: a backtest on generated data.

The generator gives most churners worse signals in the 4-6 months before their service
ends (usage fades, more escalations and bad ratings, slower replies, lower NPS), and some
churners none at all (half of involuntary churn, a tenth of voluntary churn), while some
healthy accounts get a temporary usage dip (docs/health_calibration.md). So the score
cannot be perfect; it must be clearly better than chance.

Size: 400 accounts x 24 months gives ~3,300-3,900 monthly snapshots with a complete
90-day outcome window, ~170-220 of them followed by a churn (AUC standard error about 0.02,
Hanley-McNeil; more in practice, as one customer's monthly snapshots are correlated) and
~30-60 red snapshots. The module reads the builds of test_marts_vs_truth's first two seeds
(conftest `generated_warehouse`: one generate + full `csw build` each, shared).

Thresholds, from seeds measured locally before the warning period was lengthened (issue
14; AUC is higher since: 0.857 on the demo data, 0.82 at 2,000 x 30). The CI seeds are
not chosen by their AUC: they were 11 and 12 until session 14, then 7 and 1234, the truth
module's, switched to before either was looked at here (so one build serves both modules):
- ROC AUC >= 0.60. Seeds 1-6 at this size: 0.659-0.729; seeds 1-3 at 300 accounts:
  0.615-0.639. 0.60 is below every value seen (about 3 standard errors below this size's
  lowest) and ~5 standard errors above chance (0.5): a score that loses its signal fails,
  seed-to-seed noise does not.
- red churn rate >= 2 x green and at least 5 points above it. Seeds 1-6: red 30-42 %,
  green 2.5-3.7 % churned within 90 days.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from _warehouse import Warehouse, generate_and_build

SEEDS = (7, 1234)  # two of test_marts_vs_truth's seeds: the same builds (conftest GENERATED)
MIN_AUC = Decimal("0.60")


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def warehouse(request, generated_warehouse) -> Warehouse:
    return generated_warehouse(request.param)


def _bands(warehouse: Warehouse) -> dict[str, dict]:
    frame = warehouse.query(
        "select health_band, snapshots, churned_within_90d, churn_rate from marts.agg_health_backtest"
    )
    return {row["health_band"]: row for row in frame.to_dict("records")}


def test_backtest_has_enough_data(warehouse: Warehouse):
    summary = warehouse.query("select * from marts.agg_health_backtest_summary").to_dict("records")
    assert len(summary) == 1
    row = summary[0]
    assert row["snapshots"] >= 1000, row
    assert row["churned_within_90d"] >= 50, row
    bands = _bands(warehouse)
    assert set(bands) == {"green", "yellow", "red"}
    assert bands["red"]["snapshots"] >= 10, f"too few red snapshots to compare: {bands}"
    assert bands["green"]["snapshots"] >= 100, f"too few green snapshots to compare: {bands}"


def test_red_churns_clearly_more_than_green(warehouse: Warehouse):
    bands = _bands(warehouse)
    red, green = bands["red"]["churn_rate"], bands["green"]["churn_rate"]
    assert red is not None and green is not None, bands
    assert red >= 2 * green, f"red {red} vs green {green}: {bands}"
    assert red - green >= Decimal("0.05"), f"red {red} vs green {green}: {bands}"


def test_auc_beats_threshold(warehouse: Warehouse):
    auc = warehouse.query("select roc_auc from marts.agg_health_backtest_summary")["roc_auc"][0]
    assert auc is not None
    assert auc >= MIN_AUC, f"ROC AUC {auc} < {MIN_AUC}"


def test_auc_matches_a_python_recomputation(warehouse: Warehouse):
    """The SQL rank-sum AUC equals the pairwise definition computed here independently."""
    frame = warehouse.query(
        "select health_score, churned_within_90d from marts.fct_health_backtest_snapshots"
    )
    churned = [s for s, c in zip(frame["health_score"], frame["churned_within_90d"]) if c]
    retained = sorted(s for s, c in zip(frame["health_score"], frame["churned_within_90d"]) if not c)
    # pairs (retained, churned) where retained scores higher, ties count one half
    from bisect import bisect_left, bisect_right

    wins = Decimal(0)
    for score in churned:
        above = len(retained) - bisect_right(retained, score)
        ties = bisect_right(retained, score) - bisect_left(retained, score)
        wins += above + Decimal(ties) / 2
    expected = (wins / (len(retained) * len(churned))).quantize(Decimal("0.0001"))
    auc = warehouse.query("select roc_auc from marts.agg_health_backtest_summary")["roc_auc"][0]
    assert abs(auc - expected) <= Decimal("0.0001"), f"SQL {auc} vs Python {expected}"


def test_without_product_source_adoption_is_missing(tmp_path):
    """No product source: the build passes, adoption is missing everywhere, coverage < 100."""
    warehouse = generate_and_build(tmp_path, accounts=120, months=12, seed=5,
                                   extra=["--no-product-source"])
    frame = warehouse.query(
        "select count(*) as n, count(adoption_score) as with_adoption,"
        " max(coverage_pct) as max_coverage, count(health_score) as scored"
        " from marts.fct_customer_health"
    ).to_dict("records")[0]
    assert frame["n"] > 0
    assert frame["with_adoption"] == 0
    assert frame["max_coverage"] < 1
    assert frame["scored"] == frame["n"]
