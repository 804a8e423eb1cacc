"""`csw alerts`: the at-risk digest from marts.fct_cs_alerts (a small hand-made warehouse)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from csw.alerts import AlertsError, load_digest, write_digest
from csw.cli import main

ROWS = [
    # customer, name, csm, mrr, band, severity, rank, type, label_en, label_ja, ev, ev_ja, act_en, act_ja
    ("C1", "Small Co", "U1", "100.00", "red", "high", 1, "health_turned_red", "Health turned red",
     "ヘルスが赤に悪化", "health score 40.0, 60.0 last month", "ヘルススコア 40.0（先月 60.0）",
     "Call the sponsor.", "スポンサーに電話する。"),
    ("C2", "Big | Corp", "U2", "5000.00", "yellow", "medium", 2, "sla_breach", "SLA breach",
     "SLA違反", "2 tickets past SLA", "SLA超過 2 件", "Escalate.", "エスカレーションする。"),
    ("C2", "Big | Corp", "U2", "5000.00", "yellow", "high", 1, "renewal_at_risk", "Renewal at risk",
     "更新リスク", "renewal on 2026-08-01", "更新日 2026-08-01", "Book a renewal call.",
     "更新の打ち合わせを設定する。"),
    ("C3", "Mid KK", None, "700.50", "red", "low", 3, "under_served", "Under-served",
     "フォロー不足", "no touchpoint", "接点なし", "Send an email.", "メールを送る。"),
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts; create schema intermediate")
    con.execute("create table intermediate.int_as_of as select date '2026-06-30' as as_of_date")
    con.execute(
        """create table marts.fct_cs_alerts (
            customer_id varchar, customer_name varchar, csm_user_id varchar,
            mrr_at_stake_usd decimal(18, 2), health_band varchar, severity varchar,
            severity_rank integer, alert_type varchar, alert_label_en varchar,
            alert_label_ja varchar, evidence varchar, evidence_ja varchar,
            recommended_action_en varchar, recommended_action_ja varchar,
            as_of_date date default date '2026-06-30')"""
    )
    con.executemany(
        "insert into marts.fct_cs_alerts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, date '2026-06-30')",
        ROWS,
    )
    con.close()
    return db


def test_highest_mrr_at_stake_first_then_severity(warehouse: Path) -> None:
    d = load_digest(warehouse)
    assert d.as_of == "2026-06-30"
    assert [(r["customer_id"], r["alert_type"]) for r in d.rows] == [
        ("C2", "renewal_at_risk"), ("C2", "sla_breach"), ("C3", "under_served"),
        ("C1", "health_turned_red"),
    ]


def test_csv_english_and_japanese(warehouse: Path) -> None:
    text, _ = write_digest(warehouse, fmt="csv", lang="en")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["customer_name"] == "Big | Corp"
    assert rows[0]["recommended_action"] == "Book a renewal call."
    assert rows[0]["mrr_at_stake_usd"] == "5000.00"
    text_ja, _ = write_digest(warehouse, fmt="csv", lang="ja")
    rows_ja = list(csv.DictReader(io.StringIO(text_ja)))
    assert rows_ja[0]["alert"] == "更新リスク"
    assert rows_ja[0]["severity"] == "高"
    assert rows_ja[-1]["evidence"] == "ヘルススコア 40.0（先月 60.0）"


def test_json_and_out_file(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "digest" / "alerts.json"
    assert main(["alerts", "--db", str(warehouse), "--format", "json", "--lang", "ja",
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["as_of_date"] == "2026-06-30" and doc["lang"] == "ja"
    assert [a["customer_id"] for a in doc["alerts"]] == ["C2", "C2", "C3", "C1"]
    assert doc["alerts"][0]["mrr_at_stake_usd"] == "5000.00"


def test_markdown_to_stdout(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "--db", str(warehouse)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# At-risk digest, as of 2026-06-30")
    # MRR at stake counted once per customer: 5000 + 700.50 + 100
    assert "4 alerts on 3 customers, 5,800.50 USD MRR at stake." in text
    assert "Big \\| Corp" in text  # a pipe in a name does not break the table
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 4


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AlertsError, match="warehouse not found"):
        load_digest(tmp_path / "nope.duckdb")
    assert main(["alerts", "--db", str(tmp_path / "nope.duckdb")]) == 2
