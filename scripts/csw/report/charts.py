"""Plotly figures of the report. Labels come from the message catalog; data from queries.

Over 400 lines on purpose: one short function per chart of the main page (17 of them, each
20-30 lines) and the layout helpers they share; split by page section, each file would import
the same helpers and a reader would look for a chart in three places.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from csw.report.messages import Messages
from csw.report.queries import ReportData

SEGMENTS = ("enterprise", "mid_market", "smb")
BANDS = ("green", "yellow", "red")

COLORS = {
    "enterprise": "#1f4e79",
    "mid_market": "#3a86c8",
    "smb": "#9cc7ea",
    "new": "#2e7d32",
    "upsell": "#66bb6a",
    "cross_sell": "#a5d6a7",
    "win_back": "#00897b",
    "downsell": "#ef9a9a",
    "churn": "#c62828",
    "expansion": "#66bb6a",
    "contraction": "#ef9a9a",
    "fx_adjustment": "#9e9e9e",
    "total": "#1f4e79",
    "voluntary": "#e57373",
    "involuntary": "#8e24aa",
    "promoter": "#2e7d32",
    "passive": "#bdbdbd",
    "detractor": "#c62828",
    "line": "#1f2937",
    "line2": "#f59e0b",
    "green": "#2e7d32",
    "yellow": "#f2b705",
    "red": "#c62828",
    "tickets": "#9cc7ea",
    "escalations": "#f59e0b",
    "breached_tickets": "#c62828",
    "first_reply_breaches": "#f59e0b",
    "resolution_breaches": "#c62828",
}

GAINS = ("new", "upsell", "cross_sell", "win_back")
LOSSES = ("downsell", "churn")
# The 12-month bridge in the customer view (metrics.md "MRR movements"): each customer's
# business change netted per month into expansion or contraction.
BRIDGE_GAINS = ("new", "win_back", "expansion")
BRIDGE_LOSSES = ("contraction", "churn")


@dataclass
class Chart:
    key: str
    section: str
    title: str
    explain: str
    figure: go.Figure
    wide: bool = False


def _f(value: Any) -> float | None:
    """Decimal to float for plotting only (display text is formatted from the Decimal)."""
    return None if value is None else float(value)


def _layout(fig: go.Figure, m: Messages, *, y_format: str | None = None, height: int = 340) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 56, "r": 16, "t": 12, "b": 40},
        font={"family": "Inter, 'Noto Sans', 'Noto Sans CJK JP', system-ui, sans-serif", "size": 12},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        hovermode="x unified",
        separators=m.fmt("decimal_sep") + m.fmt("thousands_sep"),
    )
    if y_format:
        fig.update_yaxes(tickformat=y_format)
    return fig


def _months_axis(fig: go.Figure, m: Messages) -> None:
    fig.update_xaxes(tickformat=m.fmt("plotly_date"), hoverformat=m.fmt("plotly_date"))


def _monthly_lines(fig: go.Figure, m: Messages, rows: list[dict], series: tuple[tuple[str, str], ...],
                   **trace: Any) -> go.Figure:
    """One line with markers per (column, color) of ``series`` over the months of ``rows``."""
    for k, color in series:
        fig.add_trace(
            go.Scatter(
                x=[r["month"] for r in rows],
                y=[_f(r[k]) for r in rows],
                name=m.t(f"series.{k}"),
                mode="lines+markers",
                line={"color": color},
                **trace,
            )
        )
    return fig


def _monthly_bar_chart(m: Messages, series: list[tuple], *, barmode: str, y_format: str | None = None,
                       y_title: str | None = None) -> go.Figure:
    """Bars over the months: one trace per ``(rows, y, name, color[, trace options])`` in ``series``,
    ``y`` one value per row of ``rows``."""
    fig = go.Figure()
    for rows, y, name, color, *options in series:
        fig.add_trace(go.Bar(x=[r["month"] for r in rows], y=y, name=name, marker_color=color,
                             **(options[0] if options else {})))
    _layout(fig, m, y_format=y_format)
    fig.update_layout(barmode=barmode)
    if y_title is not None:
        fig.update_yaxes(title=y_title)
    _months_axis(fig, m)
    return fig


def bridge(d: ReportData, m: Messages) -> go.Figure:
    b = d.bridge_12m
    keys = ["start", *BRIDGE_GAINS, *BRIDGE_LOSSES, "fx_adjustment", "end"]
    values = [b["starting_mrr_usd"], *(b[f"{k}_usd"] for k in (*BRIDGE_GAINS, *BRIDGE_LOSSES, "fx_adjustment")),
              b["ending_mrr_usd"]]
    measures = ["absolute"] + ["relative"] * (len(keys) - 2) + ["total"]
    before = d.bridge_first_month.replace(day=1) - timedelta(days=1)
    labels = [
        m.t("series.bridge_at", month=m.month_short(before)),
        *(m.t(f"series.{k}") for k in keys[1:-1]),
        m.t("series.bridge_at", month=m.month_short(d.as_of_month)),
    ]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=[_f(v) for v in values],
            measure=measures,
            text=[m.money_short(v) for v in values],
            textposition="outside",
            hovertext=[m.t("charts.hover_pair", label=lab, value=m.money(v))
                       for lab, v in zip(labels, values, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
            connector={"line": {"color": "#cbd5e1"}},
            increasing={"marker": {"color": COLORS["new"]}},
            decreasing={"marker": {"color": COLORS["churn"]}},
            totals={"marker": {"color": COLORS["total"]}},
        )
    )
    _layout(fig, m, y_format=m.fmt("plotly_tick_money"), height=380)
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(rangemode="tozero")
    return fig


def mrr_by_segment(d: ReportData, m: Messages, field: str, y_format: str | None) -> go.Figure:
    fig = go.Figure()
    for seg in SEGMENTS:
        rows = [r for r in d.mrr_by_segment if r["segment"] == seg]
        fig.add_trace(
            go.Scatter(
                x=[r["month"] for r in rows],
                y=[_f(r[field]) for r in rows],
                name=m.value_label("segment", seg),
                stackgroup="one",
                line={"color": COLORS[seg], "width": 1},
            )
        )
    _layout(fig, m, y_format=y_format)
    _months_axis(fig, m)
    return fig


def movements(d: ReportData, m: Messages) -> go.Figure:
    series = [(d.movements, [_f(r[f"{k}_usd"]) for r in d.movements], m.t(f"series.{k}"), COLORS[k])
              for k in (*GAINS, *LOSSES, "fx_adjustment")]
    return _monthly_bar_chart(m, series, barmode="relative", y_format=m.fmt("plotly_tick_money"))


def churn_rates(d: ReportData, m: Messages) -> go.Figure:
    fig = _monthly_lines(go.Figure(), m, d.retention,
                         (("logo_churn_rate", COLORS["churn"]), ("gross_mrr_churn_rate", COLORS["line2"])))
    _layout(fig, m, y_format=m.fmt("plotly_tick_percent_1"))
    _months_axis(fig, m)
    return fig


def churn_by_type(d: ReportData, m: Messages) -> go.Figure:
    series = []
    for kind in ("voluntary", "involuntary"):
        rows = [r for r in d.churn_by_type if r["churn_type"] == kind]
        series.append((rows, [_f(r["churned_mrr_usd"]) for r in rows], m.t(f"series.{kind}"), COLORS[kind],
                       {"customdata": [r["customers"] for r in rows]}))
    return _monthly_bar_chart(m, series, barmode="stack", y_format=m.fmt("plotly_tick_money"))


def churn_reasons(d: ReportData, m: Messages) -> go.Figure:
    totals: dict[Any, Decimal] = defaultdict(Decimal)
    for r in d.churn_reasons:
        totals[r["churn_reason"]] += r["churned_mrr_usd"]  # ordering only
    order = sorted(totals, key=lambda k: totals[k])
    fig = go.Figure()
    for kind in ("voluntary", "involuntary"):
        by_reason = {r["churn_reason"]: r for r in d.churn_reasons if r["churn_type"] == kind}
        rows = [by_reason.get(reason) for reason in order]
        fig.add_trace(
            go.Bar(
                y=[m.value_label("churn_reason", reason) for reason in order],
                x=[_f(r["churned_mrr_usd"]) if r else None for r in rows],
                text=[m.money_short(r["churned_mrr_usd"]) if r else "" for r in rows],
                name=m.t(f"series.{kind}"),
                orientation="h",
                marker_color=COLORS[kind],
            )
        )
    _layout(fig, m)
    fig.update_layout(barmode="stack", hovermode="closest")
    fig.update_xaxes(tickformat=m.fmt("plotly_tick_money"))
    return fig


def retention(d: ReportData, m: Messages) -> go.Figure:
    rows = [r for r in d.retention if r["nrr_12m"] is not None or r["grr_12m"] is not None]
    fig = _monthly_lines(go.Figure(), m, rows, (("nrr_12m", COLORS["total"]), ("grr_12m", COLORS["line2"])))
    _layout(fig, m, y_format=m.fmt("plotly_tick_percent"))
    fig.add_hline(y=1, line_dash="dot", line_color="#94a3b8")
    _months_axis(fig, m)
    return fig


def nps_trend(d: ReportData, m: Messages) -> go.Figure:
    rows = [r for r in d.nps_monthly if r["nps"] is not None]
    fig = go.Figure(
        go.Scatter(
            x=[r["month"] for r in rows],
            y=[_f(r["nps"]) for r in rows],
            name=m.t("series.nps"),
            mode="lines+markers",
            line={"color": COLORS["line"], "width": 2.5},
            marker={"size": 7},
            text=[m.t("charts.nps_trend.hover", nps=m.number(r["nps"], 1),
                      responses=m.number(r["responses"])) for r in rows],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    _layout(fig, m)
    fig.update_layout(showlegend=False)
    fig.update_yaxes(title=m.t("axes.nps"), range=[-100, 100], zeroline=True,
                     zerolinecolor="#94a3b8")
    _months_axis(fig, m)
    return fig


def nps_distribution(d: ReportData, m: Messages) -> go.Figure:
    fig = go.Figure()
    for k in ("detractor", "passive", "promoter"):
        rows = [r for r in d.nps_distribution if r["nps_category"] == k]
        fig.add_trace(
            go.Bar(
                x=[r["score"] for r in rows],
                y=[r["responses"] for r in rows],
                name=m.t(f"series.{k}"),
                marker_color=COLORS[k],
            )
        )
    _layout(fig, m)
    fig.update_layout(barmode="stack", hovermode="closest")
    fig.update_xaxes(title=m.t("axes.score"), dtick=1, range=[-0.5, 10.5])
    fig.update_yaxes(title=m.t("axes.responses"))
    return fig


def csat(d: ReportData, m: Messages) -> go.Figure:
    fig = _monthly_lines(go.Figure(), m, d.csat_monthly,
                         (("survey_csat_pct", COLORS["total"]), ("support_csat_pct", COLORS["line2"])),
                         connectgaps=False)
    _layout(fig, m)
    fig.update_yaxes(range=[0, 105], ticksuffix=m.fmt("plotly_suffix_percent"))
    _months_axis(fig, m)
    return fig


def support_volume(d: ReportData, m: Messages) -> go.Figure:
    series = [(d.support_monthly, [r[k] for r in d.support_monthly], m.t(f"series.{k}"), COLORS[k])
              for k in ("tickets", "escalations", "breached_tickets")]
    return _monthly_bar_chart(m, series, barmode="group", y_title=m.t("axes.tickets"))


def sla_by_priority(d: ReportData, m: Messages) -> go.Figure:
    fig = go.Figure()
    labels = [m.value_label("priority", r["priority"]) for r in d.sla_by_priority]
    for k in ("tickets", "first_reply_breaches", "resolution_breaches"):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[r[k] for r in d.sla_by_priority],
                name=m.t(f"series.{k}"),
                marker_color=COLORS[k],
                text=[m.number(r[k]) for r in d.sla_by_priority],
                textposition="outside",
            )
        )
    _layout(fig, m)
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_yaxes(title=m.t("axes.tickets"))
    return fig


def coverage(d: ReportData, m: Messages) -> go.Figure:
    fig = go.Figure()
    for seg in ("all", *SEGMENTS):
        rows = [r for r in d.coverage if r["segment"] == seg]
        fig.add_trace(
            go.Scatter(
                x=[r["month"] for r in rows],
                y=[_f(r["under_served_share"]) for r in rows],
                name=m.value_label("segment", seg),
                mode="lines",
                line={"color": COLORS.get(seg, COLORS["line"]), "width": 3 if seg == "all" else 1.5,
                      "dash": "solid" if seg == "all" else "dot"},
            )
        )
    _layout(fig, m, y_format=m.fmt("plotly_tick_percent"))
    fig.update_yaxes(rangemode="tozero")
    _months_axis(fig, m)
    return fig


def health_bands(d: ReportData, m: Messages) -> go.Figure:
    series = []
    for band in BANDS:
        rows = [r for r in d.health_bands if r["health_band"] == band]
        series.append((rows, [r["customers"] for r in rows], m.value_label("health_band", band), COLORS[band]))
    return _monthly_bar_chart(m, series, barmode="stack", y_title=m.t("axes.customers"))


def backtest(d: ReportData, m: Messages) -> go.Figure:
    rows = d.backtest
    fig = go.Figure(
        go.Bar(
            x=[m.value_label("health_band", r["health_band"]) for r in rows],
            y=[_f(r["churn_rate"]) for r in rows],
            marker_color=[COLORS.get(r["health_band"], COLORS["line"]) for r in rows],
            text=[m.percent(r["churn_rate"]) for r in rows],
            textposition="outside",
            hovertext=[
                m.t("charts.backtest.hover", band=m.value_label("health_band", r["health_band"]),
                    rate=m.percent(r["churn_rate"]), churned=m.number(r["churned_within_90d"]),
                    snapshots=m.number(r["snapshots"]))
                for r in rows
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            name=m.t("series.churn_rate_90d"),
        )
    )
    _layout(fig, m, y_format=m.fmt("plotly_tick_percent"))
    fig.update_layout(hovermode="closest", showlegend=False)
    top = max((_f(r["churn_rate"]) or 0 for r in rows), default=0)
    fig.update_yaxes(range=[0, top * 1.25 or 1], title=m.t("series.churn_rate_90d"))
    return fig


def build_charts(d: ReportData, m: Messages) -> list[Chart]:
    month = m.month(d.as_of_month)
    summary = d.backtest_summary or {}
    spec: list[tuple[str, str, go.Figure, dict, bool]] = [
        ("bridge", "revenue", bridge(d, m), {"month": month}, True),
        ("mrr_by_segment", "revenue",
         mrr_by_segment(d, m, "ending_mrr_usd", m.fmt("plotly_tick_money")), {}, False),
        ("customers_by_segment", "revenue", mrr_by_segment(d, m, "customers_end", None), {}, False),
        ("movements", "revenue", movements(d, m), {}, True),
        ("churn_rates", "churn", churn_rates(d, m), {}, False),
        ("churn_mrr_by_type", "churn", churn_by_type(d, m), {}, False),
        ("churn_reasons", "churn", churn_reasons(d, m), {}, True),
        ("retention", "retention", retention(d, m), {}, True),
        ("nps_trend", "voice", nps_trend(d, m), {}, False),
        ("nps_distribution", "voice", nps_distribution(d, m), {"month": month}, False),
        ("csat", "voice", csat(d, m), {}, True),
        ("support_volume", "support", support_volume(d, m), {}, False),
        ("sla_by_priority", "support", sla_by_priority(d, m), {}, False),
        ("coverage", "coverage", coverage(d, m), {}, True),
        ("health_bands", "health", health_bands(d, m), {}, False),
        ("backtest", "health", backtest(d, m), {
            "snapshots": m.number(summary.get("snapshots")),
            "first": m.month(summary.get("first_snapshot_month")),
            "last": m.month(summary.get("last_snapshot_month")),
            "auc": m.number(summary.get("roc_auc"), 2),
        }, False),
    ]
    return [
        Chart(key, section, m.t(f"charts.{key}.title"), m.t(f"charts.{key}.explain", **params), fig,
              wide)
        for key, section, fig, params, wide in spec
    ]


def chart_html(chart: Chart, *, include_plotlyjs: bool) -> str:
    """The chart's div and script; plotly.js itself is inlined only for the first chart."""
    return pio.to_html(
        chart.figure,
        full_html=False,
        include_plotlyjs=include_plotlyjs,
        div_id=f"chart-{chart.key}",
        config={"displayModeBar": False, "responsive": True},
        default_height=f"{chart.figure.layout.height}px",
    )
