"""The MRR marts equal the generator's independent Python truth, row by row, to the cent.

The generator computes its truth from its own event model (scripts/csw/truth.py),
never from the SQL; three seeds with every fault, merges and several currencies.
"""

from __future__ import annotations

from collections import Counter

import pytest

from _warehouse import Warehouse, canonical_frame, diff_frames

SEEDS = (7, 1234, 20260630)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def warehouse(request, generated_warehouse) -> Warehouse:
    """400 accounts x 24 months of the seed (conftest `generated_warehouse`, shared with
    test_health_backtest)."""
    return generated_warehouse(request.param)


def _assert_same(name: str, problems: list[str]) -> None:
    assert not problems, f"{name} differs from _truth/ ({len(problems)} shown):\n" + "\n".join(problems)


def test_fct_mrr_matches_truth(warehouse: Warehouse):
    actual = warehouse.query(
        "select customer_id, product_id, month, mrr_usd, mrr_local, currency from marts.fct_mrr"
    )
    expected = warehouse.truth("mrr")
    assert len(expected) > 0
    _assert_same(
        "fct_mrr",
        diff_frames(actual, expected, ["customer_id", "product_id", "month"],
                    ["mrr_usd", "mrr_local", "currency"]),
    )


MOVEMENT_VALUES = ["mrr_change_usd", "quantity_effect_usd", "price_effect_usd", "tier_effect_usd",
                   "products_before", "products_after"]


def test_fct_mrr_movements_match_truth(warehouse: Warehouse):
    """Movements per product line, with quantity, price and tier effects and the product sets."""
    actual = warehouse.query(
        "select customer_id, product_line, month, movement_type, " + ", ".join(MOVEMENT_VALUES)
        + " from marts.fct_mrr_movements"
    )
    expected = warehouse.truth("mrr_movements")
    assert set(expected["movement_type"]) >= {"new", "churn", "upsell", "downsell", "cross_sell"}
    # The event model has plan changes inside a line, with and without a seat change.
    plan_changes = expected[(expected["tier_effect_usd"] != "") & (expected["tier_effect_usd"] != "0.00")]
    assert set(plan_changes["movement_type"]) == {"upsell", "downsell"}
    assert (plan_changes["quantity_effect_usd"] != "0.00").any()
    assert (plan_changes["quantity_effect_usd"] == "0.00").any()
    _assert_same(
        "fct_mrr_movements",
        diff_frames(actual, expected, ["customer_id", "product_line", "month", "movement_type"],
                    MOVEMENT_VALUES),
    )


def test_customer_view_matches_truth(warehouse: Warehouse):
    """fct_mrr_customer_changes: each customer's business change netted into expansion or contraction."""
    columns = ["starting_mrr_usd", "fx_adjustment_usd", "new_usd", "win_back_usd", "expansion_usd",
               "contraction_usd", "churn_usd", "ending_mrr_usd"]
    actual = warehouse.query(
        "select customer_id, month, " + ", ".join(columns) + " from marts.fct_mrr_customer_changes"
    )
    expected = warehouse.truth("customer_changes")
    assert (expected["expansion_usd"] != "0.00").any() and (expected["contraction_usd"] != "0.00").any()
    _assert_same("fct_mrr_customer_changes",
                 diff_frames(actual, expected, ["customer_id", "month"], columns))


def test_fct_churn_events_match_truth(warehouse: Warehouse):
    columns = ["churn_date", "churned_mrr_usd", "churn_type", "churn_reason",
               "tenure_months", "is_won_back", "months_to_win_back"]
    actual = warehouse.query(
        "select customer_id, churn_month, " + ", ".join(columns) + " from marts.fct_churn_events"
    )
    expected = warehouse.truth("churn_events")
    assert len(expected) > 0
    _assert_same(
        "fct_churn_events",
        diff_frames(actual, expected, ["customer_id", "churn_month"], columns),
    )


def test_nps_monthly_matches_truth(warehouse: Warehouse):
    """Company-wide NPS per month, from the marts, against the generator's own count."""
    columns = ["responses", "promoters", "passives", "detractors", "nps"]
    actual = warehouse.query(
        "select month, " + ", ".join(columns) + " from marts.agg_nps_monthly where segment = 'all'"
    )
    expected = warehouse.truth("nps_monthly")  # every month, NULL nps where no responses
    _assert_same("agg_nps_monthly", diff_frames(actual, expected, ["month"], columns))


def test_row_reconciliation_matches_injected_faults(warehouse: Warehouse):
    """raw = staged + quarantined + superseded + deleted, with the counts the generator injected."""
    columns = ["raw_rows", "staged_rows", "quarantined_rows", "superseded_rows", "deleted_rows"]
    actual = warehouse.query(
        "select source_name, table_name, " + ", ".join(columns) + " from marts.dq_row_reconciliation"
    )
    expected = warehouse.truth("row_counts")
    _assert_same(
        "dq_row_reconciliation",
        diff_frames(actual, expected, ["source_name", "table_name"], columns),
    )


def test_quarantine_holds_every_injected_bad_row_with_its_reason(warehouse: Warehouse):
    keys = ["source_name", "table_name", "record_key", "reason"]
    actual = warehouse.query("select " + ", ".join(keys) + " from marts.dq_quarantine")
    expected = warehouse.truth("quarantine")
    actual_rows = Counter(map(tuple, canonical_frame(actual, keys).values.tolist()))
    expected_rows = Counter(map(tuple, canonical_frame(expected, keys).values.tolist()))
    assert sum(expected_rows.values()) > 0
    missing = list((expected_rows - actual_rows).elements())
    unexpected = list((actual_rows - expected_rows).elements())
    assert not missing and not unexpected, (
        f"quarantine differs: missing {missing[:10]}, unexpected {unexpected[:10]}"
    )
