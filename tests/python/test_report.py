"""``csw report``: build the demo warehouse, render the report, check it in headless Chromium.

Needs Debian's chromium and chromium-driver (``make test-deps``; ``make test`` runs it).
Set ``CSW_UPDATE_SCREENSHOT=1`` to refresh ``docs/report_en.png`` and ``docs/report_ja.png``.
The Japanese report (``--lang ja``) reuses the same demo build.

Over 400 lines on purpose: both languages and every report section are checked against the one
demo build and one Chromium session; split, each module would start its own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from csw.cli import main
from csw.report import ReportError, render_report
from csw.report.messages import Messages

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CSW_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CSW_CHROMEDRIVER", "/usr/bin/chromedriver"))
SCREENSHOT = ROOT / "docs" / "report_en.png"
SCREENSHOT_JA = ROOT / "docs" / "report_ja.png"
LOCALES = ROOT / "scripts" / "csw" / "report" / "locales"
N_CHARTS = 20  # 16 aggregate charts + renewal wall, cohort heatmap, SLA rate by priority and channel
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_warehouse_copy) -> Path:
    """A copy of the suite's demo build (conftest `demo_build`)."""
    return demo_warehouse_copy(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def report(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("report_out") / "index.html"
    assert main(["report", "--db", str(demo_db), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
        pytest.fail(
            f"Chromium not found ({CHROMIUM}, {CHROMEDRIVER}): run `make test-deps` "
            "(installs Debian's chromium, chromium-driver and fonts-noto-cjk)",
            pytrace=False,
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="csw-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _as_of_mrr(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        total = con.execute(
            "select sum(mrr_usd) from marts.fct_mrr where month = (select max(month) from marts.fct_mrr)"
        ).fetchone()[0]
    finally:
        con.close()
    return Messages().money(total)


def _open_and_wait_for_charts(browser, page: Path, charts: int | None = None) -> list[dict]:
    """Open `page`, wait until its chart divs (`charts` of them, or any) have their svg, and
    return the console's SEVERE entries of that page."""
    browser.get_log("browser")  # drop entries of a previous page
    browser.get(page.as_uri())
    browser.set_script_timeout(30)
    # plotly draws asynchronously: wait until every chart div has its svg
    browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const expected = arguments[0];
        const t0 = Date.now();
        (function poll() {
          const divs = document.querySelectorAll('.chart .plotly-graph-div');
          const counted = expected === null ? divs.length > 0 : divs.length === expected;
          const ok = counted && [...divs].every(d => d.querySelector('svg.main-svg'));
          if (ok || Date.now() - t0 > 20000) done(); else setTimeout(poll, 100);
        })();
        """,
        charts,
    )
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _load(browser, report: Path) -> None:
    """Open the report, wait for every chart, and assert it renders without console errors."""
    html = report.read_text("utf-8")
    # self-contained: no external script, stylesheet or image; plotly.js inlined exactly once
    assert "<script src" not in html and "<link" not in html and 'src="http' not in html
    assert html.count("Plotly.newPlot") == N_CHARTS
    assert html.count("plotly.js v") >= 1

    severe = _open_and_wait_for_charts(browser, report)
    assert severe == [], f"console errors: {severe}"

    figures = browser.find_elements("css selector", "figure.card")
    plots = browser.find_elements("css selector", ".js-plotly-plot")
    assert len(figures) == N_CHARTS
    assert len(plots) == len(figures)
    for plot in plots:
        assert plot.find_elements("css selector", "svg.main-svg"), plot.get_attribute("id")


def _screenshot(browser, path: Path) -> None:
    if os.environ.get("CSW_UPDATE_SCREENSHOT"):
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1280, min(height + 120, 9000))
        path.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(path))
        browser.set_window_size(1280, 900)


def _kpis_shown(browser) -> dict[str, str]:
    return {
        el.get_attribute("data-kpi"): el.find_element("css selector", ".kpi-value").text
        for el in browser.find_elements("css selector", ".kpi")
    }


def test_report_renders_in_chromium(browser, demo_db, report):
    _load(browser, report)
    shown = browser.find_element("id", "kpi-mrr").text
    assert shown == _as_of_mrr(demo_db)
    _screenshot(browser, SCREENSHOT)


def test_missing_mart_is_named(demo_db, tmp_path):
    db = tmp_path / "partial.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    kind = con.execute(
        "select table_type from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'agg_nps_monthly'"
    ).fetchone()[0]
    con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} marts.agg_nps_monthly")
    con.close()
    with pytest.raises(ReportError, match=r"marts\.agg_nps_monthly"):
        render_report(db, tmp_path / "out.html")
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "out.html")]) == 2


def test_missing_database(tmp_path):
    with pytest.raises(ReportError, match="csw build"):
        render_report(tmp_path / "nope.duckdb", tmp_path / "out.html")


def test_templates_hold_no_visible_text():
    """Every visible string comes from the catalog (locales/*.json), never from a template."""
    import re

    templates = ROOT / "scripts" / "csw" / "report" / "templates"
    for path in templates.glob("*.j2"):
        text = path.read_text("utf-8")
        text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"<[^>]*>", "", text)
        assert text.strip() == "", f"{path.name} has literal text: {text.strip()[:80]!r}"


def test_catalog_formats_money_and_percent():
    m = Messages()
    assert m.money(Decimal("458277.50")) == "$458,278"
    assert m.money(Decimal("-1234.4")) == "-$1,234"
    assert m.percent(Decimal("0.867272")) == "86.7%"
    assert m.number(None) == "n/a"
    assert m.money_short(Decimal("64612")) == "$64.6k"


# -- Japanese ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_ja(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("report_out_ja") / "index.html"
    assert main(["report", "--db", str(demo_db), "--out", str(out), "--lang", "ja"]) == 0
    return out


def _flatten(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, node


def _same_values(en: dict[str, str], ja: dict[str, str]) -> dict[str, str]:
    """The Japanese values equal the English ones (a missing value shows each locale's marker)."""
    missing = {Messages("en").fmt("missing"): Messages("ja").fmt("missing")}
    assert set(en) == set(ja)
    for key, value in en.items():
        assert ja[key] == missing.get(value, value), (key, value, ja[key])
    return ja


def test_catalogs_have_the_same_keys_and_no_empty_values():
    import json
    import string

    catalogs = {
        path.stem: dict(_flatten(json.loads(path.read_text("utf-8"))))
        for path in sorted(LOCALES.glob("*.json"))
    }
    assert set(catalogs) == {"en", "ja"}
    en, ja = catalogs["en"], catalogs["ja"]
    assert sorted(set(en) ^ set(ja)) == []
    for locale, flat in catalogs.items():
        # short_suffixes[0] is "" by design (no suffix below 1,000); nothing else may be empty
        empty = []
        for key, value in flat.items():
            items = value if isinstance(value, list) else [value]
            if key == "format.short_suffixes":
                items = items[1:]
            if not items or any(item in ("", None) for item in items):
                empty.append(key)
        assert empty == [], f"{locale}.json has empty values: {empty}"
    for key, value in en.items():
        if isinstance(value, list):
            assert len(ja[key]) == len(value), key
        # the same {placeholders}, so a translation cannot drop a number
        fields = {f for _, f, _, _ in string.Formatter().parse(str(value)) if f}
        ja_fields = {f for _, f, _, _ in string.Formatter().parse(str(ja[key])) if f}
        assert fields == ja_fields, key


def test_japanese_formatting():
    from datetime import date

    m = Messages("ja")
    assert m.money(Decimal("458277.50")) == "$458,278"
    assert m.money(Decimal("-1234.4")) == "-$1,234"
    assert m.percent(Decimal("0.867272")) == "86.7%"
    assert m.number(Decimal("1234567")) == "1,234,567"
    assert m.month(date(2025, 6, 1)) == "2025年6月"
    assert m.date(date(2025, 6, 30)) == "2025年6月30日"
    assert m.value_label("segment", "enterprise") == "エンタープライズ"


def test_japanese_report_renders_in_chromium(browser, demo_db, report, report_ja):
    _load(browser, report)
    kpis_en = _kpis_shown(browser)

    _load(browser, report_ja)
    assert browser.execute_script("return document.documentElement.lang") == "ja"
    assert browser.find_element("css selector", "h1").text == Messages("ja").t("page.title")
    # the same underlying values: every headline number is identical in both languages
    kpis_ja = _kpis_shown(browser)
    assert _same_values(kpis_en, kpis_ja)
    assert len(kpis_ja) == 7
    assert kpis_ja["mrr"] == _as_of_mrr(demo_db)

    # month axes are Japanese (2025年6月), not "Jun 2025"
    ticks = [t.get_attribute("textContent") for t in
             browser.find_elements("css selector", "#chart-mrr_by_segment .xtick text")]
    assert ticks and all("年" in t and t.endswith("月") for t in ticks), ticks
    legend = [t.get_attribute("textContent") for t in
              browser.find_elements("css selector", "#chart-mrr_by_segment .legendtext")]
    assert "エンタープライズ" in legend, legend

    # glossary section generated from the seed as loaded in the warehouse
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        terms = dict(con.execute("select term_key, term_ja from seeds.cs_glossary").fetchall())
    finally:
        con.close()
    rows = browser.find_elements("css selector", "#glossary tbody tr")
    assert {r.get_attribute("data-term"): r.find_element("css selector", "th").text
            for r in rows} == terms

    # Japanese text is drawn with a CJK font, not tofu: ask Chromium which platform fonts
    # rendered the heading and a glossary cell
    browser.execute_cdp_cmd("DOM.enable", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    root = browser.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    for selector in ("h1", "#glossary tbody th", ".section h2"):
        node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})
        fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
        families = [f["familyName"] for f in fonts["fonts"]]
        assert any("CJK" in f for f in families), (selector, families)
    _screenshot(browser, SCREENSHOT_JA)


def test_report_result_kpis_match_across_languages(demo_db, tmp_path):
    en = render_report(demo_db, tmp_path / "en.html")
    ja = render_report(demo_db, tmp_path / "ja.html", locale="ja")
    assert _same_values(en.kpis, ja.kpis)
    assert en.kpis["mrr"] == ja.kpis["mrr"] != Messages().fmt("missing")
    assert en.charts == ja.charts


# -- customer-success workflow: at-risk table and customer pages -----------------------------


def _expected_at_risk(db: Path) -> list[str]:
    """The customers fct_cs_alerts puts first: highest MRR at stake, then severity, then id."""
    from csw.report.workflow import AT_RISK_LIMIT

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            """
            select customer_id from marts.fct_cs_alerts group by customer_id
            order by max(mrr_at_stake_usd) desc, min(severity_rank), customer_id limit ?
            """,
            [AT_RISK_LIMIT],
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _customer_mrr(db: Path, customer_id: str) -> Decimal:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select sum(mrr_usd) from marts.fct_mrr where customer_id = ?"
            " and month = (select max(month) from marts.fct_mrr)",
            [customer_id],
        ).fetchone()[0]
    finally:
        con.close()


def _open_customer_page(browser, page: Path) -> None:
    severe = _open_and_wait_for_charts(browser, page, charts=2)
    assert severe == [], f"console errors on {page.name}: {severe}"
    assert len(browser.find_elements("css selector", ".js-plotly-plot svg.main-svg")) >= 2


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_at_risk_table_and_customer_page(browser, demo_db, report, report_ja, lang):
    index = report if lang == "en" else report_ja
    _load(browser, index)
    listed = [r.get_attribute("data-customer")
              for r in browser.find_elements("css selector", "#at-risk tbody tr")]
    assert listed and listed == _expected_at_risk(demo_db)
    # the KPI cards say how each number changed against last month
    assert len(browser.find_elements("css selector", ".kpi-change")) == 7

    # follow the first customer's link: one folder, relative links, no server
    link = browser.find_element("css selector", "#at-risk tbody tr a")
    page = index.parent / "customers" / f"{listed[0]}.html"
    assert link.get_attribute("href") == page.as_uri()
    _open_customer_page(browser, page)
    assert browser.execute_script("return document.documentElement.lang") == lang
    shown = browser.find_element("id", "customer-mrr")
    expected = _customer_mrr(demo_db, listed[0])
    assert Decimal(shown.get_attribute("data-mrr-usd")) == expected
    assert shown.text == Messages(lang).money(expected, 2)
    # the journey in one place: alerts, tickets, NPS answers and touchpoints sections
    for section in ("alerts", "tickets", "nps", "touchpoints"):
        assert browser.find_elements("id", section), section
    if lang == "en" and os.environ.get("CSW_UPDATE_SCREENSHOT"):
        browser.set_window_size(1280, 1500)
        browser.save_screenshot(str(ROOT / "docs" / "report_customer_en.png"))
        _load(browser, index)
        browser.set_window_size(1280, 1400)
        browser.execute_script("document.getElementById('today').scrollIntoView()")
        browser.save_screenshot(str(ROOT / "docs" / "report_at_risk_en.png"))
        browser.set_window_size(1280, 900)


def test_report_has_no_technical_ids_outside_the_glossary(report, report_ja):
    """Business readers see business words: no file names or metric ids outside the glossary."""
    import re

    for path in (report, report_ja, *sorted((report.parent / "customers").glob("*.html"))[:3]):
        html = path.read_text("utf-8")
        html = html.split('id="glossary"')[0]
        text = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        for word in ("metric:", "mart:", "fct_", "agg_", "dim_", ".csv", ".sql", ".duckdb",
                     "health_turned_red"):
            assert word not in text, (path.name, word)


def test_man_yen_formatting():
    m = Messages("ja", jpy_per_usd=Decimal("150"))
    assert m.money(Decimal("458277.50")) == "6,874.2万円"  # 458,277.50 USD x 150 / 10,000
    assert m.money(Decimal("-1234.4")) == "-18.5万円"
    assert Messages("ja").money(Decimal("458277.50")) == "$458,278"


def test_currency_jpy_converts_at_the_as_of_rate(demo_db, tmp_path):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        usd_per_yen = con.execute(
            "select usd_per_unit from intermediate.int_fx_rates__monthly where currency = 'JPY'"
            " and month_start_date = (select max(month) from marts.fct_mrr)"
        ).fetchone()[0]
    finally:
        con.close()
    out = tmp_path / "jpy" / "index.html"
    assert main(["report", "--db", str(demo_db), "--out", str(out), "--lang", "ja",
                 "--currency", "JPY"]) == 0
    html = out.read_text("utf-8")
    total = Decimal(str(_as_of_mrr_value(demo_db)))
    expected = Messages("ja", jpy_per_usd=1 / usd_per_yen).money(total)
    assert expected.endswith("万円")
    assert f'id="kpi-mrr">{expected}<' in html
    assert 'id="currency-note"' in html


def _as_of_mrr_value(db: Path) -> Decimal:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select sum(mrr_usd) from marts.fct_mrr where month = (select max(month) from marts.fct_mrr)"
        ).fetchone()[0]
    finally:
        con.close()
