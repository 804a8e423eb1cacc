"""The MRR marts equal the generator's independent Python truth, row by row, to the cent.

The generator computes its truth from its own event model (scripts/csw/truth.py),
never from the SQL; three seeds with every fault, merges and several currencies.
"""

from __future__ import annotations

import pytest

from _warehouse import Warehouse, diff_frames, generate_and_build

SEEDS = (7, 1234, 20260630)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def warehouse(request, tmp_path_factory) -> Warehouse:
    workdir = tmp_path_factory.mktemp(f"truth_seed{request.param}")
    return generate_and_build(workdir, accounts=400, months=24, seed=request.param)


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


def test_fct_mrr_movements_match_truth(warehouse: Warehouse):
    actual = warehouse.query(
        "select customer_id, product_id, month, movement_type, mrr_change_usd,"
        " quantity_effect_usd, price_effect_usd from marts.fct_mrr_movements"
    )
    expected = warehouse.truth("mrr_movements")
    assert set(expected["movement_type"]) >= {"new", "churn", "upsell", "downsell"}
    _assert_same(
        "fct_mrr_movements",
        diff_frames(
            actual,
            expected,
            ["customer_id", "product_id", "month", "movement_type"],
            ["mrr_change_usd", "quantity_effect_usd", "price_effect_usd"],
        ),
    )


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
