"""The figures of the customer-success workflow part of the report (renewal wall, cohort heatmap,
SLA breach rates) and of each customer page (MRR and movements, health components), from the data
``csw.report.workflow`` loads."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import plotly.io as pio

from csw.report.charts import COLORS
from csw.report.messages import Messages
from csw.report.workflow import MOVEMENT_TYPES, CustomerData, WorkflowData

COMPONENTS = ("adoption", "engagement", "support", "sentiment", "financial")
COMPONENT_COLORS = {
    "health": "#1f2937", "adoption": "#1f4e79", "engagement": "#3a86c8", "support": "#f59e0b",
    "sentiment": "#8e24aa", "financial": "#2e7d32",
}


def _layout(fig: go.Figure, m: Messages, height: int = 340) -> go.Figure:
    fig.update_layout(
        height=height, margin={"l": 60, "r": 20, "t": 20, "b": 50},
        paper_bgcolor="white", plot_bgcolor="white", hovermode="x unified",
        legend={"orientation": "h", "y": -0.2}, font={"size": 12},
        separators=m.fmt("decimal_sep") + m.fmt("thousands_sep"),
    )
    fig.update_yaxes(gridcolor="#e5e7eb")
    return fig


def renewal_wall_figure(d: WorkflowData, m: Messages) -> go.Figure:
    fig = go.Figure()
    months = [m.month_short(r["renewal_month"]) for r in d.renewal_wall]
    safe = [float(r["renewing_mrr_usd"] - r["at_risk_mrr_usd"]) for r in d.renewal_wall]
    risky = [float(r["at_risk_mrr_usd"]) for r in d.renewal_wall]
    fig.add_trace(go.Bar(x=months, y=safe, name=m.t("workflow.renewal_healthy"), marker_color="#2e7d32"))
    fig.add_trace(go.Bar(x=months, y=risky, name=m.t("workflow.renewal_at_risk"), marker_color="#f2b705"))
    _layout(fig, m)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=m.t("axes.mrr_usd"), tickformat=m.fmt("plotly_tick_money"))
    return fig


def cohort_figure(d: WorkflowData, m: Messages) -> go.Figure:
    cohorts = sorted({r["cohort_month"] for r in d.cohorts})
    ages = sorted({r["months_since_cohort_start"] for r in d.cohorts})
    cell = {(r["cohort_month"], r["months_since_cohort_start"]): r["logo_retention"] for r in d.cohorts}
    z = [[None if cell.get((c, a)) is None else float(cell[(c, a)]) for a in ages] for c in cohorts]
    fig = go.Figure(go.Heatmap(
        z=z, x=ages, y=[m.month_short(c) for c in cohorts], colorscale="Blues", zmin=0, zmax=1,
        colorbar={"tickformat": m.fmt("plotly_tick_percent")},
        hovertemplate="%{y} +%{x}: %{z:" + m.fmt("plotly_tick_percent_1") + "}<extra></extra>",
    ))
    _layout(fig, m, height=max(340, 18 * len(cohorts) + 80))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title=m.t("workflow.months_since_start"))
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def sla_rate_figure(d: WorkflowData, m: Messages, by: str) -> go.Figure:
    fig = go.Figure()
    keys = sorted({r[by] for r in d.sla_rates if r[by] is not None})
    if by == "priority":
        order = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
        keys.sort(key=lambda k: order.get(k, 9))
    for key in keys:
        per_month: dict[date, list[int]] = {}
        for r in d.sla_rates:
            if r[by] == key:
                acc = per_month.setdefault(r["month"], [0, 0])
                acc[0] += r["breached"]
                acc[1] += r["tickets"]
        months = sorted(per_month)
        fig.add_trace(go.Scatter(
            x=months, y=[per_month[mo][0] / per_month[mo][1] for mo in months], mode="lines",
            name=m.value_label(by, key),
        ))
    _layout(fig, m)
    fig.update_yaxes(title=m.t("workflow.breach_rate"), tickformat=m.fmt("plotly_tick_percent"))
    fig.update_xaxes(tickformat=m.fmt("plotly_date"))
    return fig


def figure_html(fig: go.Figure, div_id: str, include_plotlyjs: bool | str) -> str:
    return pio.to_html(
        fig, full_html=False, include_plotlyjs=include_plotlyjs, div_id=div_id,
        config={"displayModeBar": False, "responsive": True},
        default_height=f"{fig.layout.height}px",
    )


# -- customer pages ---------------------------------------------------------------------------

def customer_mrr_figure(c: CustomerData, m: Messages) -> go.Figure:
    fig = go.Figure()
    for kind in MOVEMENT_TYPES:
        rows = [r for r in c.movements if r["movement_type"] == kind]
        if rows:
            fig.add_trace(go.Bar(x=[r["month"] for r in rows], y=[float(r["mrr_change_usd"]) for r in rows],
                                 name=m.t(f"series.{kind}"), marker_color=COLORS[kind]))
    fig.add_trace(go.Scatter(x=[r["month"] for r in c.mrr], y=[float(r["mrr_usd"]) for r in c.mrr],
                             mode="lines+markers", name=m.t("axes.mrr_usd"),
                             line={"color": "#1f2937"}))
    _layout(fig, m)
    fig.update_layout(barmode="relative")
    fig.update_yaxes(tickformat=m.fmt("plotly_tick_money"))
    fig.update_xaxes(tickformat=m.fmt("plotly_date"))
    return fig


def customer_health_figure(c: CustomerData, m: Messages) -> go.Figure:
    fig = go.Figure()
    months = [r["month"] for r in c.health]
    fig.add_trace(go.Scatter(x=months, y=[None if r["health_score"] is None else float(r["health_score"])
                                          for r in c.health],
                             mode="lines+markers", name=m.t("workflow.health_score"),
                             line={"color": COMPONENT_COLORS["health"], "width": 3}))
    for comp in COMPONENTS:
        fig.add_trace(go.Scatter(
            x=months, y=[None if r[f"{comp}_score"] is None else float(r[f"{comp}_score"]) for r in c.health],
            mode="lines", name=m.value_label("risk_driver", comp),
            line={"color": COMPONENT_COLORS[comp], "dash": "dot"},
        ))
    _layout(fig, m)
    fig.update_yaxes(range=[0, 105])
    fig.update_xaxes(tickformat=m.fmt("plotly_date"))
    return fig
