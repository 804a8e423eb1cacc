"""The customer-success workflow part of the report: what a CSM opens on Monday morning.

Queries (read-only, from the marts) and the rows of the at-risk table, this month's top
movers, the renewal wall, the CSM portfolio, the cohort heatmap, SLA breach rates, and one
page per at-risk customer (``customers/<id>.html`` next to the index, plotly.js written once
beside them); the figures are in ``csw.report.workflow_figures``. Every visible string comes
from the message catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from plotly.offline import get_plotlyjs

from csw.report.messages import Messages

AT_RISK_LIMIT = 50  # customers in the at-risk table, and so customer pages
MOVERS_PER_TYPE = 5
MOVEMENT_TYPES = ("new", "upsell", "cross_sell", "win_back", "downsell", "churn")
CUSTOMER_DIR = "customers"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def customer_file(customer_id: str) -> str:
    """File name of a customer's page (ids are safe as they are, anything else replaced)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", customer_id) + ".html"


@dataclass
class CustomerData:
    customer: dict
    alerts: list[dict]
    mrr: list[dict]
    movements: list[dict]
    health: list[dict]
    tickets: list[dict]
    nps: list[dict]
    touchpoints: list[dict]


@dataclass
class WorkflowData:
    as_of_month: date
    previous_kpis: dict[str, Any]
    at_risk: list[dict]
    at_risk_customers: int
    movers: list[dict]
    renewal_wall: list[dict]
    portfolio: list[dict]
    cohorts: list[dict]
    sla_rates: list[dict]
    customers: dict[str, CustomerData] = field(default_factory=dict)


def load(con: duckdb.DuckDBPyConnection, month: date, previous_kpis: dict[str, Any]) -> WorkflowData:
    at_risk = _rows(
        con,
        """
        with per_customer as (
            select customer_id, max(customer_name) as customer_name,
                   max(csm_user_id) as csm_user_id, max(mrr_at_stake_usd) as mrr_at_stake_usd,
                   max(health_band) as health_band, max(health_score) as health_score,
                   max(main_risk_driver) as main_risk_driver, count(*) as open_alerts,
                   min(severity_rank) as top_severity,
                   string_agg(alert_type, ',' order by severity_rank, alert_type) as alert_types
            from marts.fct_cs_alerts group by customer_id
        ),
        renewals as (
            select customer_id, min(next_renewal_date) as next_renewal_date
            from marts.fct_renewals group by customer_id
        )
        select p.*, h.main_risk_reason_en, h.main_risk_reason_ja, r.next_renewal_date
        from per_customer as p
        left join marts.fct_customer_health as h
            on p.customer_id = h.customer_id and h.month = ?
        left join renewals as r on p.customer_id = r.customer_id
        order by p.mrr_at_stake_usd desc, p.top_severity, p.customer_id
        """,
        [month],
    )
    movers = _rows(
        con,
        """
        with per_customer as (
            select customer_id, movement_type, sum(mrr_change_usd) as mrr_change_usd
            from marts.fct_mrr_movements
            where month = ? and movement_type <> 'fx_adjustment'
            group by customer_id, movement_type
        ),
        ranked as (
            select *, row_number() over (
                partition by movement_type order by abs(mrr_change_usd) desc, customer_id
            ) as mover_rank
            from per_customer where mrr_change_usd <> 0
        )
        select ranked.*, c.customer_name
        from ranked left join marts.dim_customers as c using (customer_id)
        where mover_rank <= ?
        order by movement_type, mover_rank
        """,
        [month, MOVERS_PER_TYPE],
    )
    return WorkflowData(
        as_of_month=month,
        previous_kpis=previous_kpis,
        at_risk=at_risk[:AT_RISK_LIMIT],
        at_risk_customers=len(at_risk),
        movers=movers,
        renewal_wall=_rows(con, "select * from marts.agg_renewal_wall_monthly order by renewal_month"),
        portfolio=_rows(
            con,
            "select * from marts.agg_csm_portfolio_monthly where month = ? order by mrr_usd desc",
            [month],
        ),
        cohorts=_rows(
            con,
            """
            select cohort_month, months_since_cohort_start, cohort_customers, logo_retention
            from marts.agg_retention_cohorts order by cohort_month, months_since_cohort_start
            """,
        ),
        sla_rates=_rows(
            con,
            """
            select date_trunc('month', created_at)::date as month, priority, channel,
                   count(*) as tickets,
                   count(*) filter (where breached_first_reply_sla or breached_resolution_sla)
                       as breached
            from marts.fct_support_tickets
            where created_at < (? + interval 1 month)
            group by all order by month
            """,
            [month],
        ),
    )


def load_customers(con: duckdb.DuckDBPyConnection, data: WorkflowData) -> None:
    """The journey of every customer of the at-risk table."""
    for row in data.at_risk:
        cid = row["customer_id"]
        data.customers[cid] = CustomerData(
            customer=(_rows(con, "select * from marts.dim_customers where customer_id = ?", [cid])
                      or [{"customer_id": cid}])[0],
            alerts=_rows(
                con,
                "select * from marts.fct_cs_alerts where customer_id = ? order by severity_rank, alert_type",
                [cid],
            ),
            mrr=_rows(
                con,
                "select month, sum(mrr_usd) as mrr_usd from marts.fct_mrr where customer_id = ?"
                " group by month order by month",
                [cid],
            ),
            movements=_rows(
                con,
                "select month, movement_type, sum(mrr_change_usd) as mrr_change_usd"
                " from marts.fct_mrr_movements where customer_id = ? group by all order by month",
                [cid],
            ),
            health=_rows(
                con,
                "select * from marts.fct_customer_health where customer_id = ? order by month",
                [cid],
            ),
            tickets=_rows(
                con,
                "select ticket_id, created_at, priority, channel, status, first_reply_minutes,"
                " resolution_minutes, is_escalated, breached_first_reply_sla,"
                " breached_resolution_sla, csat_score from marts.fct_support_tickets"
                " where customer_id = ? order by created_at desc limit 25",
                [cid],
            ),
            nps=_rows(
                con,
                "select submitted_at, score, nps_category from marts.fct_nps_responses"
                " where customer_id = ? order by submitted_at desc",
                [cid],
            ),
            touchpoints=_rows(
                con,
                "select occurred_at, activity_type, touch_model from marts.fct_touchpoints"
                " where customer_id = ? order by occurred_at desc limit 25",
                [cid],
            ),
        )


def jpy_per_usd(con: duckdb.DuckDBPyConnection, month: date):
    """Yen per USD at the month's rate (the warehouse's monthly FX rates); None without one."""
    row = con.execute(
        "select usd_per_unit from intermediate.int_fx_rates__monthly"
        " where currency = 'JPY' and month_start_date = ? and usd_per_unit > 0",
        [month],
    ).fetchone()
    return None if row is None or row[0] is None else 1 / row[0]


# -- KPI change ---------------------------------------------------------------------------

def _signed(text: str, value: Any) -> str:
    return text if (value is not None and value < 0) or text.startswith("-") else "+" + text


def kpi_changes(current: dict[str, Any], previous: dict[str, Any], m: Messages) -> dict[str, str]:
    """Change of each headline KPI against last month, in the KPI's own unit."""
    out: dict[str, str] = {}
    specs = {
        "mrr": ("mrr_usd", "money"), "arr": ("arr_usd", "money"),
        "customers": ("customers_end", "number"), "nrr_12m": ("nrr_12m", "points"),
        "grr_12m": ("grr_12m", "points"), "logo_churn": ("logo_churn_rate", "points"),
        "nps": ("nps", "nps"),
    }
    for key, (field_name, kind) in specs.items():
        now, before = current.get(field_name), previous.get(field_name)
        if now is None or before is None:
            out[key] = m.t("workflow.kpi_change_none")
            continue
        delta = now - before
        if kind == "money":
            text = _signed(m.money(delta), delta)
        elif kind == "number":
            text = _signed(m.number(delta), delta)
        elif kind == "points":
            text = m.t("workflow.points", value=_signed(m.number(delta * 100, 1), delta))
        else:
            text = m.t("workflow.points", value=_signed(m.number(delta, 1), delta))
        out[key] = m.t("workflow.kpi_change", delta=text)
    return out


# -- tables for the index -----------------------------------------------------------------

def _alert_names(types: str | None, m: Messages) -> list[str]:
    return [m.value_label("alert_type", t) for t in (types or "").split(",") if t]


def at_risk_rows(d: WorkflowData, m: Messages) -> list[dict]:
    ja = m.fmt("glossary_lang") == "ja"
    return [
        {
            "customer_id": r["customer_id"],
            "name": r["customer_name"] or r["customer_id"],
            "href": f"{CUSTOMER_DIR}/{customer_file(r['customer_id'])}",
            "mrr": m.money(r["mrr_at_stake_usd"]),
            "band": r["health_band"],
            "band_label": m.value_label("health_band", r["health_band"]),
            "score": m.number(r["health_score"], 1),
            "driver": m.value_label("risk_driver", r["main_risk_driver"]),
            "reason": (r["main_risk_reason_ja"] if ja else r["main_risk_reason_en"]) or "",
            "alerts": _alert_names(r["alert_types"], m),
            "csm": r["csm_user_id"] or m.t("workflow.unassigned"),
            "renewal": m.date(r["next_renewal_date"]) if r["next_renewal_date"] else m.fmt("missing"),
        }
        for r in d.at_risk
    ]


def mover_groups(d: WorkflowData, m: Messages) -> list[dict]:
    linked = set(d.customers)
    groups = []
    for kind in MOVEMENT_TYPES:
        rows = [r for r in d.movers if r["movement_type"] == kind]
        if not rows:
            continue
        groups.append({
            "kind": kind,
            "label": m.t(f"series.{kind}"),
            "rows": [
                {
                    "name": r["customer_name"] or r["customer_id"],
                    "href": f"{CUSTOMER_DIR}/{customer_file(r['customer_id'])}"
                    if r["customer_id"] in linked else None,
                    "change": m.money(r["mrr_change_usd"]),
                }
                for r in rows
            ],
        })
    return groups


def portfolio_rows(d: WorkflowData, m: Messages) -> list[dict]:
    return [
        {
            "csm": r["csm_user_id"] if r["csm_user_id"] != "unassigned" else m.t("workflow.unassigned"),
            "customers": m.number(r["customers"]),
            "mrr": m.money(r["mrr_usd"]),
            "expansion": m.money(r["expansion_usd"]),
            "contraction": m.money(r["contraction_usd"]),
            "churned": m.money(r["churned_mrr_usd"]),
            "nrr": m.percent(r["net_mrr_retention"]),
            "red": m.t("workflow.count_and_money", count=m.number(r["red_customers"]),
                       money=m.money(r["red_mrr_usd"])),
            "under_served": m.number(r["under_served_customers"]),
            "touches": m.number((r["high_touches"] or 0) + (r["low_touches"] or 0)
                                + (r["tech_touches"] or 0)),
            "alerts": m.number(r["open_alerts"]),
        }
        for r in d.portfolio
    ]


def customer_context(c: CustomerData, m: Messages) -> dict[str, Any]:
    ja = m.fmt("glossary_lang") == "ja"
    latest = c.health[-1] if c.health else {}
    current_mrr = c.mrr[-1]["mrr_usd"] if c.mrr else None
    cust = c.customer
    yes, no = m.t("workflow.yes"), m.t("workflow.no")
    return {
        "name": cust.get("customer_name") or cust["customer_id"],
        "facts": [
            (m.t("workflow.col_segment"), m.value_label("segment", cust.get("segment"))),
            (m.t("workflow.col_csm"), cust.get("csm_user_id") or m.t("workflow.unassigned")),
            (m.t("workflow.col_band"), m.value_label("health_band", latest.get("health_band"))),
            (m.t("workflow.col_score"), m.number(latest.get("health_score"), 1)),
            (m.t("workflow.col_driver"), m.value_label("risk_driver", latest.get("main_risk_driver"))),
            (m.t("workflow.col_reason"),
             (latest.get("main_risk_reason_ja") if ja else latest.get("main_risk_reason_en")) or "-"),
        ],
        "mrr": m.money(current_mrr, 2),
        "mrr_raw": "" if current_mrr is None else f"{current_mrr:.2f}",
        "alerts": [
            {
                "label": a["alert_label_ja"] if ja else a["alert_label_en"],
                "severity": m.value_label("severity", a["severity"]),
                "evidence": a["evidence_ja"] if ja else a["evidence"],
                "action": a["recommended_action_ja"] if ja else a["recommended_action_en"],
            }
            for a in c.alerts
        ],
        "tickets": [
            [m.date(t["created_at"].date()), m.value_label("priority", t["priority"]),
             m.value_label("channel", t["channel"]), m.value_label("status", t["status"]),
             m.number(t["first_reply_minutes"]), m.number(t["resolution_minutes"]),
             yes if t["is_escalated"] else no,
             yes if (t["breached_first_reply_sla"] or t["breached_resolution_sla"]) else no,
             m.value_label("csat", t["csat_score"])]
            for t in c.tickets
        ],
        "nps": [
            [m.date(r["submitted_at"].date()), m.number(r["score"]),
             m.value_label("nps_category", r["nps_category"])]
            for r in c.nps
        ],
        "touchpoints": [
            [m.date(r["occurred_at"].date()), m.value_label("activity_type", r["activity_type"]),
             m.value_label("touch_model", r["touch_model"])]
            for r in c.touchpoints
        ],
    }


def write_customer_pages(env, d: WorkflowData, m: Messages, out_dir: Path, lang: str,
                         css: str) -> list[Path]:
    """One page per customer of the at-risk table, plotly.js written once beside them."""
    from csw.report import workflow_figures as figures  # imports this module's data classes

    folder = out_dir / CUSTOMER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    js = folder / "plotly.min.js"
    if not js.is_file():
        js.write_text(get_plotlyjs(), encoding="utf-8")
    template = env.get_template("customer.html.j2")
    written = []
    for cid, c in d.customers.items():
        ctx = customer_context(c, m)
        html = template.render(
            m=m, lang=lang, css=css, ctx=ctx, customer_id=cid,
            title=m.t("workflow.customer_title", name=ctx["name"]),
            mrr_chart=figures.figure_html(figures.customer_mrr_figure(c, m), "chart-customer-mrr", "directory"),
            health_chart=figures.figure_html(figures.customer_health_figure(c, m), "chart-customer-health", False),
        )
        path = folder / customer_file(cid)
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written
