"""Staging and dq marts built from tests/fixtures/raw_small (one `dbt build` for the module).

Expected values are written out from the fixture rows (see the comments), not read from output.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2]
FIXTURE_DIR = PROJECT_DIR / "tests" / "fixtures" / "raw_small"
SALT = "pytest-salt"

# (source, table): (raw, staged, quarantined, superseded, deleted)
EXPECTED_RECONCILIATION = {
    # A1 twice (older superseded), A2, A3 staged; A4 employee_count -5, blank key, A5 'abc';
    # A6 older superseded, newer soft-deleted.
    ("crm", "accounts"): (9, 3, 3, 2, 1),
    # U3 twice with the same _loaded_at: the later row wins; U4 role 'ceo'.
    ("crm", "users"): (5, 3, 1, 1, 0),
    # C3 created_at month 13; C4 _loaded_at 'not-a-time'.
    ("crm", "contacts"): (4, 2, 2, 0, 0),
    # ACT3 activity_type 'smoke_signal'.
    ("crm", "activities"): (4, 3, 1, 0, 0),
    # O2 twice; O3 amount '1.2.3'; O4 close_date 2025-02-31.
    ("crm", "opportunities"): (5, 2, 2, 1, 0),
    # BA9 soft-deleted.
    ("billing", "accounts"): (4, 3, 0, 0, 1),
    # P1 twice.
    ("billing", "products"): (3, 2, 0, 1, 0),
    # S3 status 'paused'; S4 started_on '2024/04/01'.
    ("billing", "subscriptions"): (4, 2, 2, 0, 0),
    # CH4 discount 150, CH5 quantity -1, CH6 effective_to < effective_from, CH7 unit_price 'abc';
    # CH2 twice (the row later in the file has an older _loaded_at and loses).
    ("billing", "subscription_charges"): (9, 4, 4, 1, 0),
    # I4 subtotal 'N/A'.
    ("billing", "invoices"): (4, 3, 1, 0, 0),
    # PAY3 outcome 'bounced'.
    ("billing", "payments"): (3, 2, 1, 0, 0),
    # EUR 2025-01-31 twice; GBP 2025-02-28 rate 0; blank currency.
    ("billing", "exchange_rates"): (5, 2, 2, 1, 0),
    ("support", "organizations"): (3, 3, 0, 0, 0),
    # T3 channel 'fax'.
    ("support", "tickets"): (3, 2, 1, 0, 0),
    # E4 is_public 'maybe'.
    ("support", "ticket_events"): (4, 3, 1, 0, 0),
    # R2 twice, the newer one soft-deleted.
    ("support", "satisfaction_ratings"): (3, 1, 0, 1, 1),
    # RS3 NPS 11, RS4 CSAT 0, RS6 score '7.5'.
    ("survey", "responses"): (6, 3, 3, 0, 0),
    # W1|2025-02-01 twice; W2 active_users -3; blank usage_date.
    ("product", "workspace_usage_daily"): (5, 2, 2, 1, 0),
}

EXPECTED_QUARANTINE = {
    ("crm", "accounts", "A4", "out_of_range:employee_count"),
    ("crm", "accounts", "", "null_key"),
    ("crm", "accounts", "A5", "unparseable:employee_count"),
    ("crm", "users", "U4", "unknown_value:role"),
    ("crm", "contacts", "C3", "unparseable:created_at"),
    ("crm", "contacts", "C4", "unparseable:_loaded_at"),
    ("crm", "activities", "ACT3", "unknown_value:activity_type"),
    ("crm", "opportunities", "O3", "unparseable:amount"),
    ("crm", "opportunities", "O4", "unparseable:close_date"),
    ("billing", "subscriptions", "S3", "unknown_value:status"),
    ("billing", "subscriptions", "S4", "unparseable:started_on"),
    ("billing", "subscription_charges", "CH4", "out_of_range:discount_percent"),
    ("billing", "subscription_charges", "CH5", "out_of_range:quantity"),
    ("billing", "subscription_charges", "CH6", "invalid_range:effective_to"),
    ("billing", "subscription_charges", "CH7", "unparseable:unit_price"),
    ("billing", "invoices", "I4", "unparseable:subtotal"),
    ("billing", "payments", "PAY3", "unknown_value:outcome"),
    ("billing", "exchange_rates", "GBP|2025-02-28", "out_of_range:usd_per_unit"),
    ("billing", "exchange_rates", "|2025-02-28", "null_key"),
    ("support", "tickets", "T3", "unknown_value:channel"),
    ("support", "ticket_events", "E4", "unparseable:is_public"),
    ("survey", "responses", "RS3", "out_of_range:score"),
    ("survey", "responses", "RS4", "out_of_range:score"),
    ("survey", "responses", "RS6", "unparseable:score"),
    ("product", "workspace_usage_daily", "W2|2025-02-01", "out_of_range:active_users"),
    ("product", "workspace_usage_daily", "W2|", "null_key"),
}


def release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in-process; close it so the test can open the
    file itself (DuckDB refuses a second instance of one file with another configuration)."""
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build everything once from a temp copy of the fixture; yield a read-only connection."""
    work = tmp_path_factory.mktemp("staging")
    raw_dir = work / "raw"
    shutil.copytree(FIXTURE_DIR, raw_dir)
    db_path = work / "warehouse.duckdb"  # not staging.duckdb: the catalog name would clash with the schema
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSW_RAW_DIR", str(raw_dir))
        mp.setenv("CSW_DB_PATH", str(db_path))
        mp.setenv("CSW_HASH_SALT", SALT)
        result = dbtRunner().invoke(
            [
                "build",
                "--project-dir", str(PROJECT_DIR),
                "--profiles-dir", str(PROJECT_DIR),
                "--target-path", str(work / "target"),
                "--log-path", str(work / "logs"),
            ]
        )
        release_duckdb()
    assert result.success, result.exception
    con = duckdb.connect(str(db_path), read_only=True)
    yield con
    con.close()


def test_build_passed_every_test(built):
    # The fixture itself asserts the build (models, data tests and unit tests) succeeded.
    assert built.execute("select count(*) from marts.dq_row_reconciliation").fetchone() == (18,)


def test_row_reconciliation_counts(built):
    rows = built.execute(
        "select source_name, table_name, raw_rows, staged_rows, quarantined_rows,"
        " superseded_rows, deleted_rows from marts.dq_row_reconciliation"
    ).fetchall()
    actual = {(r[0], r[1]): tuple(r[2:]) for r in rows}
    assert actual == EXPECTED_RECONCILIATION
    for counts in EXPECTED_RECONCILIATION.values():
        assert counts[0] == sum(counts[1:])


def test_quarantine_rows_and_reasons(built):
    rows = built.execute(
        "select source_name, table_name, record_key, reason from marts.dq_quarantine"
    ).fetchall()
    assert len(rows) == len(EXPECTED_QUARANTINE)
    assert set(rows) == EXPECTED_QUARANTINE
    # The raw text of an unparseable _loaded_at is kept for the reader.
    assert built.execute(
        "select loaded_at_raw, source_row_number from marts.dq_quarantine where record_key = 'C4'"
    ).fetchall() == [("not-a-time", 4)]


def test_latest_version_wins(built):
    # A1: the second extract (2025-03-02T15:00+09:00) renamed the account.
    assert built.execute(
        "select account_name, employee_count, _loaded_at from staging.stg_crm__accounts"
        " where account_id = 'A1'"
    ).fetchall() == [("Acme Corp", 260, dt.datetime(2025, 3, 2, 6, 0))]
    # U3: same _loaded_at twice, the later row in the file wins.
    assert built.execute(
        "select email, _source_row_number from staging.stg_crm__users where user_id = 'U3'"
    ).fetchall() == [("sam.sales@example.com", 5)]
    # CH2: the file's later row carries an older extract, so the earlier row wins.
    assert built.execute(
        "select quantity, discount_percent from staging.stg_billing__subscription_charges"
        " where charge_id = 'CH2'"
    ).fetchall() == [(12, Decimal("10.50"))]
    # Soft-deleted winners are gone from stg.
    assert built.execute(
        "select count(*) from staging.stg_crm__accounts where account_id = 'A6'"
    ).fetchone() == (0,)
    assert built.execute(
        "select count(*) from staging.stg_support__satisfaction_ratings where rating_id = 'R2'"
    ).fetchone() == (0,)


def test_timestamps_are_utc(built):
    rows = dict(
        built.execute("select activity_id, occurred_at from staging.stg_crm__activities").fetchall()
    )
    assert rows == {
        "ACT1": dt.datetime(2025, 2, 10, 15, 0),  # ...Z
        "ACT2": dt.datetime(2025, 2, 10, 23, 0),  # 2025-02-11T08:00:00+09:00
        "ACT4": dt.datetime(2025, 2, 20, 10, 0),  # no offset: read as UTC
    }


def test_emails_normalized_and_hashed(built):
    expected_hash = hashlib.sha256((SALT + "jane.doe@example.com").encode()).hexdigest()
    assert built.execute(
        "select email, email_hash from staging.stg_crm__users where user_id = 'U1'"
    ).fetchall() == [("jane.doe@example.com", expected_hash)]
    assert built.execute(
        "select requester_email from staging.stg_support__tickets where ticket_id = 'T2'"
    ).fetchall() == [("bob@globex.com",)]


def test_stg_columns_and_types(built):
    def columns(table: str) -> dict[str, str]:
        return dict(
            built.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'staging' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
        )

    charges = columns("stg_billing__subscription_charges")
    assert charges["unit_price"] == "DECIMAL(18,4)"
    assert charges["discount_percent"] == "DECIMAL(5,2)"
    assert charges["effective_from_date"] == "DATE"
    assert charges["effective_to_date"] == "DATE"
    assert charges["is_trial"] == "BOOLEAN"
    assert not any(c.startswith("_dq_") for c in charges)
    assert columns("stg_billing__invoices")["subtotal"] == "DECIMAL(18,2)"
    assert {"issued_date", "due_date"} <= set(columns("stg_billing__invoices"))
    assert {"started_date", "canceled_date"} <= set(columns("stg_billing__subscriptions"))
    assert columns("stg_billing__exchange_rates")["usd_per_unit"] == "DECIMAL(18,8)"
    assert columns("stg_crm__accounts")["created_at"] == "TIMESTAMP"
    assert columns("stg_survey__responses")["score"] == "INTEGER"
    assert "respondent_email_hash" in columns("stg_survey__responses")
