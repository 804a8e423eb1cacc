"""``csw report``: build the demo warehouse, render the report, check it in headless Chromium.

Needs Debian's chromium and chromium-driver (``make test-deps``; ``make test`` runs it).
Set ``CSW_UPDATE_SCREENSHOT=1`` to refresh ``docs/report.png``.
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
SCREENSHOT = ROOT / "docs" / "report.png"
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
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("report") / "demo.duckdb"
    rc = main(["build", "--raw-dir", str(ROOT / "data" / "demo"), "--db", str(db), "--no-progress"])
    assert rc == 0, "csw build of the demo data failed"
    return db


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


def test_report_renders_in_chromium(browser, demo_db, report):
    html = report.read_text("utf-8")
    # self-contained: no external script, stylesheet or image; plotly.js inlined exactly once
    assert "<script src" not in html and "<link" not in html and 'src="http' not in html
    assert html.count("Plotly.newPlot") == 16
    assert html.count("plotly.js v") >= 1

    browser.get(report.as_uri())
    browser.set_script_timeout(30)
    # plotly draws asynchronously: wait until every chart div has its svg
    browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const t0 = Date.now();
        (function poll() {
          const divs = document.querySelectorAll('.chart .plotly-graph-div');
          const ok = divs.length && [...divs].every(d => d.querySelector('svg.main-svg'));
          if (ok || Date.now() - t0 > 20000) done(); else setTimeout(poll, 100);
        })();
        """
    )
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], f"console errors: {severe}"

    figures = browser.find_elements("css selector", "figure.card")
    plots = browser.find_elements("css selector", ".js-plotly-plot")
    assert len(figures) == 16
    assert len(plots) == len(figures)
    for plot in plots:
        assert plot.find_elements("css selector", "svg.main-svg"), plot.get_attribute("id")

    shown = browser.find_element("id", "kpi-mrr").text
    assert shown == _as_of_mrr(demo_db)

    if os.environ.get("CSW_UPDATE_SCREENSHOT"):
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1280, min(height + 120, 7000))
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))


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
