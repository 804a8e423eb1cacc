"""Raw loader (macros/loader/load_raw_sources.sql) against a temp copy of tests/fixtures/raw_small.

Each test runs dbt in-process (dbtRunner) with CSW_RAW_DIR / CSW_DB_PATH pointing at temp paths,
and selects a single small model: the on-run-start loader always loads every raw table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2]
FIXTURE_DIR = PROJECT_DIR / "tests" / "fixtures" / "raw_small"


class DbtRun:
    def __init__(self, result, messages: list[str]):
        self.result = result
        self.messages = messages

    @property
    def success(self) -> bool:
        return bool(self.result.success)

    @property
    def text(self) -> str:
        """Everything dbt said, including the exception of a failed invocation."""
        parts = list(self.messages)
        if self.result.exception is not None:
            parts.append(str(self.result.exception))
        return "\n".join(parts)


def run_dbt(args: list[str], raw_dir: Path, db_path: Path, work_dir: Path, monkeypatch) -> DbtRun:
    monkeypatch.setenv("CSW_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("CSW_DB_PATH", str(db_path))
    messages: list[str] = []

    def collect(event) -> None:
        try:
            messages.append(event.info.msg)
        except AttributeError:  # pragma: no cover - every dbt event has info.msg
            pass

    result = dbtRunner(callbacks=[collect]).invoke(
        [
            *args,
            "--project-dir", str(PROJECT_DIR),
            "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work_dir / "target"),
            "--log-path", str(work_dir / "logs"),
        ]
    )
    release_duckdb()
    return DbtRun(result, messages)


def release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in-process after an invocation; close it so the
    test can open the file itself (DuckDB refuses a second instance with another configuration)."""
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None


@pytest.fixture()
def raw_dir(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(FIXTURE_DIR, target)
    return target


@pytest.fixture()
def dbt(tmp_path: Path, raw_dir: Path, monkeypatch):
    db_path = tmp_path / "loader.duckdb"

    def _run(*args: str) -> DbtRun:
        return run_dbt(list(args), raw_dir, db_path, tmp_path, monkeypatch)

    _run.db_path = db_path
    return _run


def query(db_path: Path, sql: str):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def relations(db_path: Path) -> set[str]:
    if not db_path.exists():
        return set()
    rows = query(db_path, "select table_schema || '.' || table_name from information_schema.tables")
    return {r[0] for r in rows}


def test_missing_file_fails_and_names_the_file(dbt, raw_dir: Path):
    (raw_dir / "billing" / "invoices.csv").unlink()

    run = dbt("run", "--select", "base_billing__products")

    assert not run.success
    assert f"{raw_dir}/billing/invoices.csv" in run.text
    # Checked before anything is loaded or built.
    assert not any(r.startswith("staging.") for r in relations(dbt.db_path))
    assert "raw.billing__invoices" not in relations(dbt.db_path)


def test_missing_column_fails_and_names_file_and_column(dbt, raw_dir: Path):
    path = raw_dir / "billing" / "invoices.csv"
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("due_on", "due_date")
    path.write_text("\n".join(lines) + "\n")

    run = dbt("run", "--select", "base_billing__products")

    assert not run.success
    assert f"Raw file {path} is missing required column 'due_on'" in run.text
    assert not any(r.startswith("staging.") for r in relations(dbt.db_path))


def test_extra_column_is_ignored_with_a_warning(dbt, raw_dir: Path):
    path = raw_dir / "billing" / "invoices.csv"
    lines = path.read_text().splitlines()
    lines = [lines[0] + ",_fivetran_synced"] + [line + ",2025-03-01" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")

    run = dbt("run", "--select", "base_billing__invoices")

    assert run.success, run.text
    assert "extra columns, ignored: _fivetran_synced" in run.text
    columns = [r[0] for r in query(dbt.db_path, "describe raw.billing__invoices")]
    assert "_fivetran_synced" not in columns
    assert query(dbt.db_path, "select count(*) from staging.base_billing__invoices") == [(4,)]


def test_missing_optional_source_builds_with_empty_raw_table(dbt, raw_dir: Path):
    shutil.rmtree(raw_dir / "product")

    run = dbt("run", "--select", "+stg_product__workspace_usage_daily")

    assert run.success, run.text
    assert "Input of optional source product.workspace_usage_daily is missing" in run.text
    assert query(dbt.db_path, "select count(*) from raw.product__workspace_usage_daily") == [(0,)]
    columns = [r[0] for r in query(dbt.db_path, "describe raw.product__workspace_usage_daily")]
    assert columns == [
        "workspace_id", "crm_account_id", "usage_date", "active_users", "sessions",
        "key_feature_events", "_loaded_at", "_is_deleted", "_source_file", "_source_row_number",
    ]


def test_raw_tables_are_text_by_name_with_row_numbers(dbt, raw_dir: Path):
    run = dbt("run", "--select", "base_support__organizations")

    assert run.success, run.text
    # organizations.csv has its columns in another order than the YAML: selected by name.
    rows = query(
        dbt.db_path,
        "select organization_id, crm_account_id, organization_name, _source_row_number, _source_file"
        " from raw.support__organizations order by _source_row_number",
    )
    source_file = f"{raw_dir}/support/organizations.csv"
    assert rows == [
        ("ORG1", "A1", "Acme", 1, source_file),
        ("ORG2", "A2", "Globex", 2, source_file),
        ("ORG3", None, "Unknown Org", 3, source_file),
    ]
    types = {r[1] for r in query(dbt.db_path, "describe raw.crm__accounts") if r[0] != "_source_row_number"}
    assert types == {"VARCHAR"}
    # Quoting: "" inside quotes, commas inside quotes; leading spaces kept as text.
    assert query(dbt.db_path, "select full_name, title from raw.crm__contacts where contact_id = 'C2'") == [
        ('Bob "The Builder" Jones', "VP, Operations")
    ]
    assert query(dbt.db_path, "select email from raw.crm__users where user_id = 'U1'") == [
        (" Jane.Doe@Example.COM ",)
    ]


def test_parquet_file_is_accepted_instead_of_csv(dbt, raw_dir: Path):
    csv_path = raw_dir / "billing" / "products.csv"
    parquet_path = raw_dir / "billing" / "products.parquet"
    with duckdb.connect() as con:
        con.execute(
            "copy (select * from read_csv(?, header = true, all_varchar = true)) to '"
            + str(parquet_path).replace("'", "''") + "' (format parquet)",
            [str(csv_path)],
        )
    csv_path.unlink()

    run = dbt("run", "--select", "base_billing__products")

    assert run.success, run.text
    assert query(
        dbt.db_path,
        "select product_id, _dq_status, _source_row_number from staging.base_billing__products"
        " order by _source_row_number",
    ) == [("P1", "superseded", 1), ("P2", "staged", 2), ("P1", "staged", 3)]
