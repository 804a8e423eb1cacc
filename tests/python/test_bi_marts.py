"""Self-describing marts, as a BI tool sees them in the published snapshot.

On the bundled demo, built and published once (fixture `demo_published`):
every code value of every mart has an English and a Japanese label in dim_labels; every
mart and column carries its description; rates follow the one scale of docs/bi.md
("Scales"); dates are DATE and money is DECIMAL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from csw.publish import CATALOG_NAME

# VARCHAR mart columns that are not codes: identifiers, names, free text, raw values.
NOT_CODES = {
    "customer_id", "customer_name", "csm_user_id", "user_id", "contact_id", "activity_id",
    "ticket_id", "organization_id", "response_id", "survey_id", "product_id", "currency",
    "country_code", "record_key", "reason", "source_file", "table_name", "loaded_at_raw",
    "segment_dimension",  # a MetricFlow group-by name (agg_metrics_monthly)
    "subscription_id", "charge_id", "overlapping_charge_id",
    # billing's own values (like product_id), not a fixed code list: product_line, and the
    # comma-separated product ids of fct_mrr_movements
    "product_line", "products_before", "products_after",
    # free text in English and Japanese (fct_cs_alerts, fct_customer_health): sentences, not codes
    "evidence", "evidence_ja", "alert_label_en", "alert_label_ja", "recommended_action_en",
    "recommended_action_ja", "main_risk_reason_en", "main_risk_reason_ja",
}
# Rates that may exceed 1 (retention with expansion) or be negative (a change).
UNBOUNDED_RATES = {"net_mrr_retention", "nrr_12m", "mrr_change_pct_3m"}
RATE = re.compile(r"(_rate|_share|_retention|_pct|_pct_3m)$|^(nrr_12m|grr_12m|logo_retention|roc_auc)$")


@pytest.fixture(scope="module")
def catalog(demo_published):
    _, published = demo_published
    con = duckdb.connect(str(published / "current" / CATALOG_NAME), read_only=True)
    yield con
    con.close()


def _columns(con) -> list[tuple[str, str, str, str | None]]:
    return con.execute(
        "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where schema_name = 'marts' order by table_name, column_index"
    ).fetchall()


def test_every_code_in_the_marts_has_a_label(catalog):
    labels = catalog.execute("select code_column, code, label_en, label_ja from dim_labels").fetchall()
    assert len(labels) == len({(c, v) for c, v, _, _ in labels}), "dim_labels: (code_column, code) not unique"
    assert all(en and ja for _, _, en, ja in labels)
    labelled = {c for c, _, _, _ in labels}
    known = {(c, v) for c, v, _, _ in labels}
    unlabelled_columns, missing = [], []
    for table, column, data_type, _ in _columns(catalog):
        if data_type != "VARCHAR" or table == "dim_labels" or column in NOT_CODES:
            continue
        if column not in labelled:
            unlabelled_columns.append(f"{table}.{column}")
            continue
        for (value,) in catalog.execute(
            f'select distinct "{column}" from marts."{table}" where "{column}" is not null'
        ).fetchall():
            if (column, value) not in known:
                missing.append(f"{table}.{column} = {value!r}")
    assert unlabelled_columns == [], (
        "code columns without labels (add them to seeds/code_labels.csv, or to NOT_CODES here "
        f"when they are not codes): {unlabelled_columns}"
    )
    assert missing == [], f"codes without a label in seeds/code_labels.csv: {missing}"


def test_every_mart_and_column_is_described(catalog):
    views = catalog.execute(
        "select view_name, comment from duckdb_views() where schema_name = 'marts' and not internal"
    ).fetchall()
    assert len(views) > 20
    assert [v for v, comment in views if not comment] == []
    assert [f"{t}.{c}" for t, c, _, comment in _columns(catalog) if not comment] == []


def test_rates_are_fractions_dates_are_dates_money_is_decimal(catalog):
    problems = []
    for table, column, data_type, _ in _columns(catalog):
        if RATE.search(column):
            if not data_type.startswith("DECIMAL"):
                problems.append(f"{table}.{column}: rate typed {data_type}")
            low, high = catalog.execute(f'select min("{column}"), max("{column}") from marts."{table}"').fetchone()
            if column not in UNBOUNDED_RATES and low is not None and not (0 <= low and high <= 1):
                problems.append(f"{table}.{column}: {low}..{high} is not a fraction 0-1")
        if column == "nps":
            low, high = catalog.execute(f'select min(nps), max(nps) from marts."{table}"').fetchone()
            if low is not None and not (-100 <= low and high <= 100) or not data_type.startswith("DECIMAL"):
                problems.append(f"{table}.nps: {low}..{high} ({data_type})")
        if (column == "month" or column.endswith(("_date", "_month"))) and data_type != "DATE":
            problems.append(f"{table}.{column}: date typed {data_type}")
        if column.endswith("_usd") and not data_type.startswith("DECIMAL"):
            problems.append(f"{table}.{column}: money typed {data_type}")
        if data_type in ("DOUBLE", "FLOAT", "REAL"):
            problems.append(f"{table}.{column}: floating point ({data_type})")
    assert problems == []
    # CSAT is a fraction now (it was 0-100): a month with ratings has 0 < csat <= 1
    assert catalog.execute("select max(support_csat_pct) from agg_csat_monthly").fetchone()[0] <= 1


def test_duckdb_1_1_reads_every_published_mart(demo_published):
    """The real snapshot (every mart, comments, labels) through DuckDB 1.1.3 (test_bi_snapshot's venv)."""
    import subprocess

    from test_bi_snapshot import OLD_DUCKDB, OLD_VENV

    from csw.bi.venv import ensure_venv

    _, published = demo_published
    python = ensure_venv(OLD_VENV, [f"duckdb=={OLD_DUCKDB}"])
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "views = [r[0] for r in con.execute(\"select view_name from duckdb_views() where schema_name = 'main' "
        "and not internal\").fetchall()]\n"
        "print(json.dumps({v: con.execute(f'select count(*) from main.\"{v}\"').fetchone()[0] for v in views}))\n"
    )
    run = subprocess.run([str(python), "-c", script, str(published / "current" / CATALOG_NAME)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    counts = json.loads(run.stdout)
    manifest = json.loads((published / "current" / "manifest.json").read_text())
    assert counts == {mart: m["rows"] for mart, m in manifest["marts"].items()}


def test_the_demo_build_ran_and_passed_every_unit_test(demo_published):
    """The suite's DuckDB run of the dbt unit tests is this build (conftest: every other `csw build`
    of the suite skips them); its record says they ran, and it passed."""
    from csw.buildstate import RECORD_TABLE

    warehouse, _ = demo_published
    with duckdb.connect(str(warehouse.db_path), read_only=True) as con:
        first = con.execute(f"select status, unit_tests from {RECORD_TABLE} order by build_id limit 1").fetchone()
    assert first == ("passed", "ran")


def test_the_demo_build_printed_no_warnings(demo_published):
    """A clean build of the bundled demo warns about nothing (issue 17): every warning is a finding to
    act on, so the demo has none. The build record keeps the warnings the build printed."""
    from csw.buildstate import RECORD_TABLE

    warehouse, _ = demo_published
    with duckdb.connect(str(warehouse.db_path), read_only=True) as con:
        (warnings,) = con.execute(f"select warnings from {RECORD_TABLE} order by build_id limit 1").fetchone()
    assert json.loads(warnings) == []
