"""`csw build --as-of` at a month inside the data builds marts equal to the truth of that month.

metrics.md: months run to the as-of month and no further; open-ended segments count
through it. So a build as of an earlier month equals the generator's truth restricted
to the months up to it (movements in M compare M with M-1, both inside the data).
An as-of date outside the data is refused before dbt starts, naming the data's range: those
careless operations are cases of the fault matrix (test_fault_matrix.py, `as_of_*`).
"""

from __future__ import annotations

from datetime import date

import pytest

from _warehouse import Warehouse, diff_frames
from csw.cli import main as csw_main
from csw.runner import PROJECT_DIR

DEMO_RAW = PROJECT_DIR / "data" / "demo"
AS_OF = date(2025, 9, 30)
AS_OF_MONTH = "2025-09-01"


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Warehouse:
    db_path = tmp_path_factory.mktemp("as_of") / "warehouse.duckdb"
    rc = csw_main(["build", "--raw-dir", str(DEMO_RAW), "--db", str(db_path), "--as-of", AS_OF.isoformat(),
                   "--no-progress", "--freshness", "off"])
    assert rc == 0, "csw build --as-of failed: every data test must pass at an earlier as-of month"
    return Warehouse(raw_dir=DEMO_RAW, db_path=db_path)


def _truth_until(warehouse: Warehouse, name: str):
    frame = warehouse.truth(name)
    return frame[frame["month"] <= AS_OF_MONTH]


def test_no_month_after_the_as_of_month(earlier: Warehouse):
    for mart in ("fct_mrr", "fct_mrr_movements", "fct_mrr_customer_changes", "agg_mrr_bridge_monthly",
                 "agg_retention_monthly"):
        latest = earlier.query(f"select cast(max(month) as varchar) as m from marts.{mart}")["m"][0]
        assert latest == AS_OF_MONTH, f"{mart} runs to {latest}"


def test_mrr_and_movements_equal_the_truth_until_the_as_of_month(earlier: Warehouse):
    mrr = earlier.query("select customer_id, product_id, month, mrr_usd, mrr_local, currency from marts.fct_mrr")
    problems = diff_frames(mrr, _truth_until(earlier, "mrr"), ["customer_id", "product_id", "month"],
                           ["mrr_usd", "mrr_local", "currency"])
    values = ["mrr_change_usd", "quantity_effect_usd", "price_effect_usd", "tier_effect_usd",
              "products_before", "products_after"]
    moves = earlier.query("select customer_id, product_line, month, movement_type, " + ", ".join(values)
                          + " from marts.fct_mrr_movements")
    problems += diff_frames(moves, _truth_until(earlier, "mrr_movements"),
                            ["customer_id", "product_line", "month", "movement_type"], values)
    columns = ["starting_mrr_usd", "expansion_usd", "contraction_usd", "churn_usd", "ending_mrr_usd"]
    changes = earlier.query("select customer_id, month, " + ", ".join(columns) + " from marts.fct_mrr_customer_changes")
    problems += diff_frames(changes, _truth_until(earlier, "customer_changes"), ["customer_id", "month"], columns)
    assert not problems, "\n".join(problems[:20])
