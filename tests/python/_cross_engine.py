"""What the cross-engine tests compare: five marts keyed, every other mart as a multiset.

Each engine test (test_cross_engine_<engine>.py, marker `cross_engine`) builds the
shared dataset (`cross_engine_raw` in conftest.py) on its engine, reads the marts
below into DataFrames of Python objects (Decimal, date, int, bool, str) and compares
them with the DuckDB build of the same data (`cross_engine_duckdb` in conftest.py)
through `compare_marts`. Values are compared in one canonical text form
(`_warehouse.canonical_frame` with `exact=True`): every digit counts, so
Decimal('12.50') from one driver equals Decimal('12.5000') from another, and
a ratio of decimal(9, 4) must agree to its last digit.

`CROSS_ENGINE_MARTS` are compared keyed (a difference names the row and column).
`compare_every_mart` adds every other table of the DuckDB `marts` schema, all
columns, as a multiset of canonical rows (no key needed; a difference shows the
rows found on one side only).
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

import pandas as pd

from _warehouse import Warehouse, canonical_frame, diff_frames

# mart -> (key columns, value columns)
CROSS_ENGINE_MARTS: dict[str, tuple[list[str], list[str]]] = {
    "fct_mrr": (
        ["customer_id", "product_id", "month"],
        ["mrr_usd", "mrr_local", "currency", "quantity", "segment"],
    ),
    "fct_mrr_movements": (
        ["customer_id", "product_line", "month", "movement_type"],
        ["mrr_change_usd", "quantity_effect_usd", "price_effect_usd", "tier_effect_usd",
         "products_before", "products_after", "segment"],
    ),
    "fct_mrr_customer_changes": (
        ["customer_id", "month"],
        ["segment", "starting_mrr_usd", "fx_adjustment_usd", "new_usd", "win_back_usd",
         "expansion_usd", "contraction_usd", "churn_usd", "ending_mrr_usd"],
    ),
    "agg_mrr_bridge_monthly": (
        ["month", "segment"],
        ["starting_mrr_usd", "new_usd", "upsell_usd", "cross_sell_usd", "downsell_usd", "churn_usd",
         "win_back_usd", "fx_adjustment_usd", "expansion_usd", "contraction_usd", "ending_mrr_usd",
         "quick_ratio"],
    ),
    "agg_retention_monthly": (
        ["month"],
        ["customers_start", "churned_customers", "logo_churn_rate", "gross_mrr_churn_rate",
         "net_mrr_retention", "nrr_12m", "grr_12m"],
    ),
    "agg_trial_conversion_monthly": (
        ["month"],
        ["ended_trials", "converted_trials", "trial_conversion_rate", "is_final"],
    ),
    "fct_churn_events": (
        ["customer_id", "churn_month"],
        ["churn_date", "churned_mrr_usd", "churn_type", "churn_reason", "tenure_months",
         "is_won_back", "months_to_win_back", "segment"],
    ),
    "agg_nps_monthly": (
        ["month", "segment"],
        ["responses", "promoters", "passives", "detractors", "nps"],
    ),
    "fct_customer_health": (
        ["customer_id", "month"],
        ["snapshot_date", "segment", "mrr_usd", "health_score", "health_band",
         "health_score_change", "coverage_pct", "adoption_score", "seat_utilization",
         "avg_daily_active_users", "licensed_seats", "engagement_score",
         "days_since_last_touch", "support_score", "support_tickets_90d",
         "support_escalations_90d", "support_sla_breaches_90d", "support_csat_good_90d",
         "support_csat_bad_90d", "sentiment_score", "latest_nps_score_180d",
         "financial_score", "mrr_change_pct_3m", "failed_payments_90d"],
    ),
}


def mart_columns(mart: str) -> list[str]:
    keys, values = CROSS_ENGINE_MARTS[mart]
    return keys + values


def read_marts(query: Callable[[str], pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every compared mart through `query(sql)` (one engine's reader), explicit columns."""
    return {
        mart: query(f"select {', '.join(mart_columns(mart))} from marts.{mart}")
        for mart in CROSS_ENGINE_MARTS
    }


def read_duckdb_marts(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    return read_marts(warehouse.query)


def compare_marts(reference: dict[str, pd.DataFrame], other: dict[str, pd.DataFrame],
                  engine: str) -> list[str]:
    """Readable differences between the DuckDB marts and another engine's, per mart.

    Also fails on an empty mart, so two engines that both built nothing do not pass.
    """
    problems: list[str] = []
    for mart, (keys, values) in CROSS_ENGINE_MARTS.items():
        if len(reference[mart]) == 0:
            problems.append(f"{mart}: the DuckDB build has no rows (nothing to compare)")
            continue
        diffs = diff_frames(other[mart], reference[mart], keys, values, exact=True)
        problems += [
            f"{mart}: {line}".replace("_mart", f"_{engine}").replace("_truth", "_duckdb")
            .replace("mart=", f"{engine}=").replace("truth=", "duckdb=")
            for line in diffs
        ]
        if len(other[mart]) != len(reference[mart]):
            problems.append(f"{mart}: {len(other[mart])} rows on {engine}, "
                            f"{len(reference[mart])} on DuckDB")
    return problems


def other_marts(warehouse: Warehouse) -> dict[str, list[str]]:
    """Every table of the DuckDB `marts` schema not in CROSS_ENGINE_MARTS -> its columns."""
    rows = warehouse.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position")
    marts: dict[str, list[str]] = {}
    for table, column in zip(rows["table_name"], rows["column_name"]):
        if table not in CROSS_ENGINE_MARTS:
            marts.setdefault(table, []).append(column)
    return marts


def read_other_marts(query: Callable[[str], pd.DataFrame],
                     marts: dict[str, list[str]]) -> dict[str, pd.DataFrame]:
    return {mart: query(f"select {', '.join(columns)} from marts.{mart}")
            for mart, columns in marts.items()}


def compare_other_marts(reference: dict[str, pd.DataFrame], other: dict[str, pd.DataFrame],
                        marts: dict[str, list[str]], engine: str, limit: int = 10) -> list[str]:
    """Multiset differences (every column, every digit) per mart; an empty DuckDB mart is
    allowed here (some marts may be empty on the shared dataset) only if the other is too."""
    problems: list[str] = []
    for mart, columns in marts.items():
        ref = Counter(map(tuple, canonical_frame(reference[mart], columns, exact=True).values.tolist()))
        got = Counter(map(tuple, canonical_frame(other[mart], columns, exact=True).values.tolist()))
        only_ref, only_got = ref - got, got - ref
        lines = ([f"{mart}: only on DuckDB: {dict(zip(columns, row))}" for row in only_ref.elements()]
                 + [f"{mart}: only on {engine}: {dict(zip(columns, row))}" for row in only_got.elements()])
        problems += lines[:limit]
        if len(lines) > limit:
            problems.append(f"{mart}: ... and {len(lines) - limit} more rows differ")
    return problems
