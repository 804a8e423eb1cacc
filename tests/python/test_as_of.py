"""`csw build --as-of` at a month inside the data builds marts equal to the truth of that month.

metrics.md: months run to the as-of month and no further; open-ended segments count
through it. So a build as of an earlier month equals the generator's truth restricted
to the months up to it (movements in M compare M with M-1, both inside the data).
An as-of date outside the data is refused before dbt starts, naming the data's range: those
careless operations are cases of the fault matrix (test_fault_matrix.py, `as_of_*`).
An as-of build knows no later event either (DECISIONS.md, "An as-of build knows no later event"):
no mart holds a date or time after the as-of time, except the few columns that look ahead by
definition. Moving the as-of date in an incremental build gives the full build of that date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from _warehouse import DEMO_RAW_DIR, Warehouse, diff_frames, relation_digests
from csw.cli import main as csw_main

AS_OF = date(2025, 9, 30)
AS_OF_MONTH = "2025-09-01"


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Warehouse:
    db_path = tmp_path_factory.mktemp("as_of") / "warehouse.duckdb"
    rc = csw_main(["build", "--raw-dir", str(DEMO_RAW_DIR), "--db", str(db_path), "--as-of", AS_OF.isoformat(),
                   "--no-progress", "--freshness", "off"])
    assert rc == 0, "csw build --as-of failed: every data test must pass at an earlier as-of month"
    return Warehouse(raw_dir=DEMO_RAW_DIR, db_path=db_path)


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


# mart columns that look past the as-of time by definition: the next renewal, and the SLA due
# times of a ticket still running at the as-of time
LOOKING_AHEAD = {
    ("fct_renewals", "next_renewal_date"),
    ("fct_renewals", "renewal_month"),
    ("agg_renewal_wall_monthly", "renewal_month"),
    ("fct_support_tickets", "first_reply_due_at"),
    ("fct_support_tickets", "resolution_due_at"),
}


def test_no_mart_holds_a_date_or_event_after_the_as_of_time(earlier: Warehouse):
    """Every date and timestamp of every mart is at or before the as-of date (times: before the
    end of that day): the event facts (tickets and their events, NPS answers, touchpoints) and
    what aggregates them (agg_support_monthly, agg_metrics_monthly) too."""
    columns = earlier.query(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and data_type in ('DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE')")
    end_of_as_of = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time())
    checked, late = 0, []
    for table, column, data_type in columns.itertuples(index=False):
        if (table, column) in LOOKING_AHEAD:
            continue
        (latest,) = earlier.query(f'select max("{column}") as m from marts."{table}"')["m"]
        checked += 1
        if latest is None:
            continue
        if data_type == "DATE" and latest > AS_OF or data_type != "DATE" and latest >= end_of_as_of:
            late.append(f"{table}.{column}: {latest}")
    assert checked >= 40, f"only {checked} date and time columns found in the marts"
    assert not late, "after the as-of date " + AS_OF.isoformat() + ": " + ", ".join(late)
    counts = earlier.query("select (select count(*) from marts.fct_support_tickets) as tickets, "
                           "(select count(*) from marts.fct_nps_responses) as answers, "
                           "(select count(*) from marts.fct_touchpoints) as touchpoints")
    assert counts.iloc[0].min() > 0, counts


def test_an_incremental_build_moved_to_another_as_of_date_equals_its_full_build(
        earlier: Warehouse, demo_build: Path, demo_warehouse_copy, tmp_path: Path):
    """The demo's default build, built again incrementally as of the earlier date, equals the
    full build as of that date, relation by relation; built once more without --as-of, it equals
    the default build again. The ticket summary recomputes the tickets with an event between the
    two as-of times, both ways (int_support_ticket_events__summarized)."""
    db_path = demo_warehouse_copy(tmp_path)
    for as_of, expected in ((["--as-of", AS_OF.isoformat()], earlier.db_path), ([], demo_build)):
        rc = csw_main(["build", "--raw-dir", str(DEMO_RAW_DIR), "--db", str(db_path), *as_of,
                       "--no-progress", "--freshness", "off", "--unit-tests", "skip"])
        assert rc == 0, f"csw build {' '.join(as_of)} over an earlier build failed"
        built, full = relation_digests(db_path), relation_digests(expected)
        differing = sorted(name for name in full if built.get(name) != full[name])
        assert built.keys() == full.keys() and not differing, (as_of, differing)
