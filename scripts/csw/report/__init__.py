"""``csw report``: a static, offline HTML report over the warehouse marts.

One self-contained file: jinja2 template with inline CSS, plotly charts with plotly.js
inlined once (no CDN, no network). Every number is read from the marts by SQL
(``queries``); every visible string and all number/date formatting come from the message
catalog (``messages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import jinja2

from csw.report import workflow, workflow_figures
from csw.report.charts import Chart, build_charts, chart_html
from csw.report.messages import DEFAULT_LOCALE, Messages
from csw.report.queries import MissingMartError, ReportData, connect, headline, load

__all__ = ["ReportError", "ReportResult", "MissingMartError", "render_report", "SECTIONS"]

SECTIONS = ("today", "revenue", "churn", "retention", "voice", "support", "coverage", "health")


class ReportError(RuntimeError):
    """The report cannot be written (no database, missing mart, no data)."""


@dataclass
class ReportResult:
    out_path: Path
    as_of_month: date
    charts: list[str]
    kpis: dict[str, str]
    at_risk: list[str] = ()  # type: ignore[assignment]  # customer ids of the at-risk table
    customer_pages: list[Path] = ()  # type: ignore[assignment]


def _kpis(d: ReportData, m: Messages) -> list[dict[str, str]]:
    k = d.kpis
    month = m.month(d.as_of_month)
    if k.get("nps") is not None:
        nps_note = m.t("kpi.nps_note", responses=m.number(k.get("responses")), month=month)
    elif d.latest_nps:
        nps_note = m.t(
            "kpi.nps_note_empty",
            month=month,
            latest=m.number(d.latest_nps["nps"], 1),
            latest_month=m.month(d.latest_nps["month"]),
        )
    else:
        nps_note = m.t("kpi.nps_note_none")
    return [
        {"key": "mrr", "value": m.money(k.get("mrr_usd")), "note": m.t("kpi.mrr_note", month=month)},
        {"key": "arr", "value": m.money(k.get("arr_usd")), "note": m.t("kpi.arr_note")},
        {"key": "customers", "value": m.number(k.get("customers_end")),
         "note": m.t("kpi.customers_note", month=month)},
        {"key": "nrr_12m", "value": m.percent(k.get("nrr_12m")), "note": m.t("kpi.nrr_12m_note")},
        {"key": "grr_12m", "value": m.percent(k.get("grr_12m")), "note": m.t("kpi.grr_12m_note")},
        {"key": "logo_churn", "value": m.percent(k.get("logo_churn_rate")),
         "note": m.t("kpi.logo_churn_note", churned=m.number(k.get("churned_customers")),
                     start=m.number(k.get("customers_start")), month=month)},
        {"key": "nps", "value": m.number(k.get("nps"), 1), "note": nps_note},
    ]


def _glossary(d: ReportData, m: Messages) -> list[dict[str, object]] | None:
    """Glossary rows in the report's language: its term first, the other language's beside it."""
    if d.glossary is None:
        return None
    lang = m.fmt("glossary_lang")
    other = "en" if lang == "ja" else "ja"
    rows = [
        {
            "key": r["term_key"],
            "term": r[f"term_{lang}"],
            "other_term": r[f"term_{other}"],
            "definition": r[f"definition_{lang}"],
            "implemented_by": [ref.strip() for ref in (r["implemented_by"] or "").split(";")
                               if ref.strip()],
        }
        for r in d.glossary
    ]
    return sorted(rows, key=lambda r: str(r["term"]).casefold())


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("csw.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(
    db_path: Path | str,
    out_path: Path | str,
    *,
    locale: str = DEFAULT_LOCALE,
    generated_at: datetime | None = None,
    currency: str = "USD",
) -> ReportResult:
    """Read the marts of ``db_path`` (read-only) and write the HTML report to ``out_path``.

    ``currency="JPY"`` shows the amounts of the text in 万円 at the as-of month's JPY rate
    (the warehouse's monthly FX rate); charts stay in USD.
    """
    db_path, out_path = Path(db_path), Path(out_path)
    m = Messages(locale)
    if not db_path.is_file():
        raise ReportError(m.t("errors.db_missing", path=db_path))
    try:
        con = connect(db_path)
    except duckdb.Error as exc:
        raise ReportError(m.t("errors.db_open", path=db_path, error=exc)) from exc
    try:
        data = load(con, db_path)
        previous_month = (data.as_of_month.replace(day=1) - timedelta(days=1)).replace(day=1)
        flow = workflow.load(con, data.as_of_month, headline(con, previous_month))
        workflow.load_customers(con, flow)
        currency_note = None
        if currency == "JPY":
            yen = workflow.jpy_per_usd(con, data.as_of_month)
            if yen is None:
                raise ReportError(m.t("errors.no_data"))
            m = Messages(locale, jpy_per_usd=yen)
            currency_note = m.t("page.currency_note", rate=m.number(yen, 2),
                                month=m.month(data.as_of_month))
    except MissingMartError as exc:
        names = ", ".join(f"marts.{n}" for n in exc.names)
        raise ReportError(m.t("errors.mart_missing", names=names, path=db_path)) from exc
    except LookupError as exc:
        raise ReportError(m.t("errors.no_data")) from exc
    finally:
        con.close()

    charts: list[Chart] = build_charts(data, m)
    month = m.month(data.as_of_month)
    for key, section, fig in (
        ("renewal_wall", "today", workflow_figures.renewal_wall_figure(flow, m)),
        ("cohort_heatmap", "retention", workflow_figures.cohort_figure(flow, m)),
        ("sla_rate_priority", "support", workflow_figures.sla_rate_figure(flow, m, "priority")),
        ("sla_rate_channel", "support", workflow_figures.sla_rate_figure(flow, m, "channel")),
    ):
        charts.append(Chart(key, section, m.t(f"charts.{key}.title"),
                            m.t(f"charts.{key}.explain", month=month), fig, wide=True))
    # plotly.js is inlined once, in the first chart of the page
    charts.sort(key=lambda c: SECTIONS.index(c.section))
    chart_divs = {
        c.key: chart_html(c, include_plotlyjs=(i == 0)) for i, c in enumerate(charts)
    }
    generated = (generated_at or datetime.now(UTC)).date()
    sections = [
        {
            "key": key,
            "title": m.t(f"sections.{key}.title"),
            "intro": m.t(f"sections.{key}.intro"),
            "charts": [
                {"key": c.key, "title": c.title, "explain": c.explain, "wide": c.wide,
                 "html": chart_divs[c.key]}
                for c in charts
                if c.section == key
            ],
        }
        for key in SECTIONS
    ]
    kpis = _kpis(data, m)
    changes = workflow.kpi_changes(data.kpis, flow.previous_kpis, m)
    for k in kpis:
        k["change"] = changes.get(k["key"], "")
    workflow_ctx = {
        "at_risk": workflow.at_risk_rows(flow, m),
        "at_risk_intro": m.t("workflow.at_risk_intro", shown=m.number(len(flow.at_risk)),
                             total=m.number(flow.at_risk_customers), month=month),
        "movers": workflow.mover_groups(flow, m),
        "movers_intro": m.t("workflow.movers_intro", month=month),
        "portfolio": workflow.portfolio_rows(flow, m),
        "portfolio_intro": m.t("workflow.portfolio_intro", month=month),
    }
    html = _environment().get_template("report.html.j2").render(
        m=m,
        lang=m.t("html_lang"),
        title=m.t("page.title"),
        subtitle=m.t("page.subtitle", as_of=m.month(data.as_of_month)),
        currency_note=currency_note,
        footer=m.t("page.generated", generated=m.date(generated)),
        kpis=[{**k, "label": m.t(f"kpi.{k['key']}")} for k in kpis],
        sections=sections,
        glossary=_glossary(data, m),
        workflow=workflow_ctx,
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    env = _environment()
    css = env.loader.get_source(env, "report.css")[0]
    pages = workflow.write_customer_pages(env, flow, m, out_path.parent, m.t("html_lang"), css)
    tmp = out_path.with_name(out_path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out_path)
    return ReportResult(
        out_path=out_path,
        as_of_month=data.as_of_month,
        charts=[c.key for c in charts],
        kpis={k["key"]: k["value"] for k in kpis},
        at_risk=[r["customer_id"] for r in flow.at_risk],
        customer_pages=pages,
    )
