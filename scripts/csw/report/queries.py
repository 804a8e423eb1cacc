"""SQL against the marts. Every number in the report comes from here.

Queries only select, filter, group and sum what the marts already hold; no metric is
recomputed (rates, NPS, retention are read as the marts define them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

SCHEMA = "marts"

Params = list[Any] | dict[str, Any] | None

REQUIRED_MARTS = (
    "fct_mrr",
    "agg_mrr_bridge_monthly",
    "agg_retention_monthly",
    "fct_churn_events",
    "agg_nps_monthly",
    "fct_nps_responses",
    "agg_csat_monthly",
    "agg_support_monthly",
    "fct_support_tickets",
    "agg_touch_coverage_monthly",
    "fct_customer_health",
    "agg_health_backtest",
    "agg_health_backtest_summary",
    # customer-success workflow (report/workflow.py)
    "dim_customers",
    "fct_mrr_movements",
    "fct_touchpoints",
    "fct_cs_alerts",
    "fct_renewals",
    "agg_renewal_wall_monthly",
    "agg_csm_portfolio_monthly",
    "agg_retention_cohorts",
)


class MissingMartError(RuntimeError):
    """One or more marts the report reads are not in the database."""

    def __init__(self, names: list[str], path: Path) -> None:
        self.names = names
        self.path = path
        super().__init__(f"missing mart(s): {', '.join(f'{SCHEMA}.{n}' for n in names)} in {path}")


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only."""
    return duckdb.connect(str(db_path), read_only=True)


def missing_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
        ).fetchall()
    }
    return [name for name in REQUIRED_MARTS if name not in present]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> dict | None:
    rows = _rows(con, sql, params)
    return rows[0] if rows else None


@dataclass
class ReportData:
    as_of_month: date
    kpis: dict[str, Any]
    latest_nps: dict | None
    bridge_12m: dict
    bridge_first_month: date
    mrr_by_segment: list[dict]
    movements: list[dict]
    retention: list[dict]
    churn_by_type: list[dict]
    churn_reasons: list[dict]
    nps_monthly: list[dict]
    nps_distribution: list[dict]
    csat_monthly: list[dict]
    support_monthly: list[dict]
    sla_by_priority: list[dict]
    coverage: list[dict]
    health_bands: list[dict]
    backtest: list[dict]
    backtest_summary: dict | None
    glossary: list[dict] | None = None


GLOSSARY_TABLE = "seeds.cs_glossary"


def glossary(con: duckdb.DuckDBPyConnection) -> list[dict] | None:
    """The customer-success glossary seed as loaded by dbt (None when it is not built)."""
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'seeds' and table_name = 'cs_glossary'"
    ).fetchone()[0]
    if not found:
        return None
    return _rows(
        con,
        f"""
        select term_key, term_ja, term_en, definition_ja, definition_en, implemented_by
        from {GLOSSARY_TABLE} order by term_key
        """,
    )


def as_of_month(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute(
        "select max(month) from marts.agg_mrr_bridge_monthly where segment = 'all'"
    ).fetchone()[0]


def headline(con: duckdb.DuckDBPyConnection, month: date) -> dict[str, Any]:
    """The headline KPIs of the as-of month."""
    return _one(
        con,
        """
        with mrr as (
            select sum(mrr_usd) as mrr_usd, sum(mrr_usd) * 12 as arr_usd
            from marts.fct_mrr where month = $month::date
        ),
        bridge as (
            select customers_end from marts.agg_mrr_bridge_monthly
            where month = $month::date and segment = 'all'
        ),
        retention as (
            select nrr_12m, grr_12m, logo_churn_rate, churned_customers, customers_start
            from marts.agg_retention_monthly where month = $month::date
        ),
        nps as (
            select nps, responses from marts.agg_nps_monthly
            where month = $month::date and segment = 'all'
        )
        select * from mrr
        left join bridge on true
        left join retention on true
        left join nps on true
        """,
        {"month": month},
    ) or {}


def latest_nps(con: duckdb.DuckDBPyConnection, month: date) -> dict | None:
    return _one(
        con,
        """
        select month, nps, responses from marts.agg_nps_monthly
        where segment = 'all' and nps is not null and month <= ?
        order by month desc limit 1
        """,
        [month],
    )


def bridge_12m(con: duckdb.DuckDBPyConnection, month: date) -> tuple[dict, date]:
    """Sum of each movement over the 12 months to the as-of month, with start and end MRR."""
    row = _one(
        con,
        """
        with months as (
            select * from marts.agg_mrr_bridge_monthly
            where segment = 'all' and month > ?::date - interval 12 month and month <= ?
        )
        select
            min(month) as first_month,
            arg_min(starting_mrr_usd, month) as starting_mrr_usd,
            sum(new_usd) as new_usd,
            sum(upsell_usd) as upsell_usd,
            sum(cross_sell_usd) as cross_sell_usd,
            sum(win_back_usd) as win_back_usd,
            sum(downsell_usd) as downsell_usd,
            sum(churn_usd) as churn_usd,
            sum(fx_adjustment_usd) as fx_adjustment_usd,
            sum(expansion_usd) as expansion_usd,
            sum(contraction_usd) as contraction_usd,
            arg_max(ending_mrr_usd, month) as ending_mrr_usd
        from months
        """,
        [month, month],
    )
    assert row is not None
    return row, row.pop("first_month")


def load(con: duckdb.DuckDBPyConnection, db_path: Path) -> ReportData:
    missing = missing_marts(con)
    if missing:
        raise MissingMartError(missing, db_path)
    month = as_of_month(con)
    if month is None:
        raise LookupError("no rows in marts.agg_mrr_bridge_monthly")
    bridge, first_month = bridge_12m(con, month)
    return ReportData(
        as_of_month=month,
        kpis=headline(con, month),
        latest_nps=latest_nps(con, month),
        bridge_12m=bridge,
        bridge_first_month=first_month,
        mrr_by_segment=_rows(
            con,
            """
            select month, segment, ending_mrr_usd, customers_end
            from marts.agg_mrr_bridge_monthly where segment <> 'all'
            order by segment, month
            """,
        ),
        movements=_rows(
            con,
            """
            select month, new_usd, upsell_usd, cross_sell_usd, win_back_usd,
                   downsell_usd, churn_usd, fx_adjustment_usd
            from marts.agg_mrr_bridge_monthly where segment = 'all' order by month
            """,
        ),
        retention=_rows(
            con,
            """
            select month, customers_start, churned_customers, logo_churn_rate,
                   gross_mrr_churn_rate, net_mrr_retention, nrr_12m, grr_12m
            from marts.agg_retention_monthly order by month
            """,
        ),
        churn_by_type=_rows(
            con,
            """
            select churn_month as month, churn_type, count(*) as customers,
                   sum(churned_mrr_usd) as churned_mrr_usd
            from marts.fct_churn_events group by all order by month, churn_type
            """,
        ),
        churn_reasons=_rows(
            con,
            """
            select churn_reason, churn_type, count(*) as customers,
                   sum(churned_mrr_usd) as churned_mrr_usd
            from marts.fct_churn_events group by all order by churned_mrr_usd desc
            """,
        ),
        nps_monthly=_rows(
            con,
            """
            select month, responses, promoters, passives, detractors, nps
            from marts.agg_nps_monthly where segment = 'all' order by month
            """,
        ),
        nps_distribution=_rows(
            con,
            """
            select score, nps_category, count(*) as responses
            from marts.fct_nps_responses
            where submitted_month > ?::date - interval 12 month and submitted_month <= ?
            group by all order by score
            """,
            [month, month],
        ),
        csat_monthly=_rows(
            con,
            """
            -- the marts store CSAT as a fraction 0-1; the chart shows percent
            select month, survey_responses, 100 * survey_csat_pct as survey_csat_pct,
                   support_ratings_good + support_ratings_bad as support_ratings,
                   100 * support_csat_pct as support_csat_pct
            from marts.agg_csat_monthly where segment = 'all' order by month
            """,
        ),
        support_monthly=_rows(
            con,
            """
            select month, sum(tickets) as tickets, sum(escalations) as escalations,
                   sum(breached_tickets) as breached_tickets
            from marts.agg_support_monthly where month <= ? group by month order by month
            """,
            [month],
        ),
        sla_by_priority=_rows(
            con,
            """
            select priority, count(*) as tickets,
                   count(*) filter (where breached_first_reply_sla) as first_reply_breaches,
                   count(*) filter (where breached_resolution_sla) as resolution_breaches
            from marts.fct_support_tickets group by priority
            order by case priority when 'urgent' then 1 when 'high' then 2
                                   when 'normal' then 3 else 4 end
            """,
        ),
        coverage=_rows(
            con,
            """
            select month, segment, customers, under_served_customers, under_served_share
            from marts.agg_touch_coverage_monthly order by segment, month
            """,
        ),
        health_bands=_rows(
            con,
            """
            select month, health_band, count(*) as customers
            from marts.fct_customer_health group by all order by month, health_band
            """,
        ),
        backtest=_rows(
            con,
            """
            select health_band, band_order, band_min_score, snapshots, churned_within_90d,
                   churn_rate
            from marts.agg_health_backtest order by band_order
            """,
        ),
        backtest_summary=_one(con, "select * from marts.agg_health_backtest_summary"),
        glossary=glossary(con),
    )
