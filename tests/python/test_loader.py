"""Raw loader (macros/loader/load_raw_sources.sql) against a temp copy of tests/fixtures/raw_small.

Each test runs dbt in-process (csw.runner.run_dbt, as `csw build` does) with CSW_RAW_DIR / CSW_DB_PATH pointing at temp paths,
and selects a single small model: the on-run-start loader checks every raw table and loads what it has not loaded yet.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from csw.runner import DbtResult
from csw.runner import run_dbt as csw_run_dbt

PROJECT_DIR = Path(__file__).resolve().parents[2]
FIXTURE_DIR = PROJECT_DIR / "tests" / "fixtures" / "raw_small"


def run_dbt(args: list[str], raw_dir: Path, db_path: Path, work_dir: Path) -> DbtResult:
    return csw_run_dbt(
        [*args, "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")],
        env={"CSW_RAW_DIR": str(raw_dir), "CSW_DB_PATH": str(db_path)},
        show_progress=False,
    )


@pytest.fixture()
def raw_dir(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(FIXTURE_DIR, target)
    return target


@pytest.fixture()
def dbt(tmp_path: Path, raw_dir: Path):
    db_path = tmp_path / "loader.duckdb"

    def _run(*args: str) -> DbtResult:
        return run_dbt(list(args), raw_dir, db_path, tmp_path)

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
        "key_feature_events", "_loaded_at", "_is_deleted", "_source_file", "_source_file_id",
        "_source_row_number",
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


def _to_folder(raw_dir: Path, source: str, table: str, name: str) -> Path:
    """Move `<source>/<table>.csv` into the folder layout as `<source>/<table>/<name>`."""
    folder = raw_dir / source / table
    folder.mkdir()
    (raw_dir / source / f"{table}.csv").rename(folder / name)
    return folder


def test_folder_of_extracts_is_one_table_loaded_in_name_order(dbt, raw_dir: Path):
    """A folder `<table>/` of extracts (CSV and Parquet, columns in any order, an extra column) is
    one raw table: rows of every file, numbered within their file, with the file's fingerprint;
    a hidden file is skipped, any other non-extract file is named in a warning."""
    folder = _to_folder(raw_dir, "support", "organizations", "2026-01-01.csv")
    (folder / "2026-01-02.csv").write_text(
        "organization_name,organization_id,_is_deleted,crm_account_id,_loaded_at,_fivetran_synced\n"
        "Initech,ORG4,false,A4,2026-01-02T00:00:00Z,x\n")
    with duckdb.connect() as con:
        con.execute(
            "copy (select 'ORG5' as organization_id, 'A5' as crm_account_id, 'Hooli' as organization_name, "
            "'2026-01-03T00:00:00Z' as _loaded_at, 'false' as _is_deleted) to '"
            + str(folder / "2026-01-03.parquet").replace("'", "''") + "' (format parquet)")
    (folder / ".DS_Store").write_text("")
    (folder / "_SUCCESS").write_text("")

    run = dbt("run", "--select", "base_support__organizations")

    assert run.success, run.text
    assert f"Raw folder {folder} holds _SUCCESS, which is not a .csv or .parquet extract: ignored" in run.text
    assert f"Raw file {folder}/2026-01-02.csv has extra columns, ignored: _fivetran_synced" in run.text
    assert ".DS_Store" not in run.text
    rows = query(dbt.db_path, "select organization_id, organization_name, _source_file, _source_row_number "
                              "from raw.support__organizations order by _source_file, _source_row_number")
    assert [r[0] for r in rows] == ["ORG1", "ORG2", "ORG3", "ORG4", "ORG5"]
    assert [(r[2].rsplit("/", 1)[1], r[3]) for r in rows[2:]] == [
        ("2026-01-01.csv", 3), ("2026-01-02.csv", 1), ("2026-01-03.parquet", 1)]
    ids = query(dbt.db_path, "select _source_file, count(distinct _source_file_id) "
                             "from raw.support__organizations group by 1")
    assert len(ids) == 3 and all(n == 1 for _, n in ids)
    manifest = query(dbt.db_path, "select path, rows from main.csw_raw_manifest "
                                  "where table_name = 'organizations' order by path")
    assert manifest == [(f"{folder}/2026-01-01.csv", 3), (f"{folder}/2026-01-02.csv", 1),
                        (f"{folder}/2026-01-03.parquet", 1)]


def test_only_new_files_are_loaded_and_a_changed_one_reloads_its_table(dbt, raw_dir: Path):
    """The second run loads only the new extract (the others are not read again; a file merely
    touched is not a change); a rewritten extract reloads its table in full, naming the file."""
    folder = _to_folder(raw_dir, "support", "organizations", "2026-01-01.csv")
    assert dbt("run", "--select", "base_support__organizations").success
    new = folder / "2026-01-02.csv"
    new.write_text("organization_id,crm_account_id,organization_name,_loaded_at,_is_deleted\n"
                   "ORG4,A4,Initech,2026-01-02T00:00:00Z,false\n")
    first = folder / "2026-01-01.csv"
    first.touch()  # a new modification time, same bytes

    run = dbt("run", "--select", "base_support__organizations")

    assert run.success, run.text
    assert f"Loaded raw file {new} into raw.support__organizations (1 rows, appended)" in run.text
    assert f"Loaded raw file {first}" not in run.text
    assert "reloaded in full" not in run.text
    # the one line `csw build` shows on the console (the "csw: " prefix, csw.runner.CONSOLE_PREFIX)
    tables = query(dbt.db_path, "select count(distinct source_name || '.' || table_name) from main.csw_raw_manifest")
    assert (f"csw: Raw load: 1 new file(s), 1 rows; 1 table(s) appended to, 0 loaded in full, "
            f"{tables[0][0] - 1} unchanged") in run.text
    assert query(dbt.db_path, "select count(*) from raw.support__organizations") == [(4,)]
    assert query(dbt.db_path, "select count(*) from raw.crm__accounts") == [
        (query(dbt.db_path, "select rows from main.csw_raw_manifest where table_name = 'accounts' "
                            "and source_name = 'crm'")[0][0],)]

    first.write_text(first.read_text().replace("Acme", "Acme Corp"))
    run = dbt("run", "--select", "base_support__organizations")

    assert run.success, run.text
    assert f"Raw table raw.support__organizations is reloaded in full: {first} changed since it was loaded" in run.text
    assert query(dbt.db_path, "select count(*), count(*) filter (organization_name = 'Acme Corp') "
                              "from raw.support__organizations") == [(4, 1)]


def test_a_file_moved_into_its_folder_reloads_the_table_without_a_warning(dbt, raw_dir: Path):
    """`csw generate-day` moves a single-file table into its folder before it adds a day: the
    table is reloaded in full (its rows name the new path), said on the console as a move, not
    as a warning to check the extract tool. A file removed for good still warns."""
    assert dbt("run", "--select", "base_support__organizations").success
    old = raw_dir / "support" / "organizations.csv"
    folder = _to_folder(raw_dir, "support", "organizations", "2026-01-01.csv")

    run = dbt("run", "--select", "base_support__organizations")

    assert run.success, run.text
    assert (f"csw: Raw table raw.support__organizations is reloaded in full: 1 loaded file(s) moved "
            f"({old} -> {folder / '2026-01-01.csv'}) (same size and modification time") in run.text
    assert "check the extract tool" not in run.text
    assert query(dbt.db_path, "select distinct _source_file from raw.support__organizations") == [
        (str(folder / "2026-01-01.csv"),)]

    (folder / "2026-01-01.csv").rename(folder / "2026-01-02.csv")
    (folder / "2026-01-02.csv").write_text((folder / "2026-01-02.csv").read_text()
                                           + "Hooli,ORG9,false,A9,2026-01-02T00:00:00Z\n")
    run = dbt("run", "--select", "base_support__organizations")

    assert run.success, run.text
    assert (f"is reloaded in full: 1 loaded file(s) removed ({folder / '2026-01-01.csv'}) (raw files are "
            "only ever added, raw_sources.md; check the extract tool)") in run.text


def test_unchanged_raw_files_are_not_read_again(dbt, raw_dir: Path):
    """A second command with nothing new loads nothing; `--full-refresh` reloads every table."""
    assert dbt("run", "--select", "base_support__organizations").success
    run = dbt("run", "--select", "base_support__organizations")
    assert f"Raw files in {raw_dir} unchanged since they were loaded: raw tables reused" in run.text
    assert "Loaded raw file" not in run.text
    run = dbt("run", "--select", "base_support__organizations", "--full-refresh")
    assert "is reloaded in full: --full-refresh" in run.text


def test_a_table_as_file_and_folder_or_an_empty_folder_is_refused(dbt, raw_dir: Path):
    folder = raw_dir / "billing" / "products"
    folder.mkdir()
    (folder / "extra.csv").write_text((raw_dir / "billing" / "products.csv").read_text())
    run = dbt("run", "--select", "base_billing__products")
    assert not run.success
    assert (f"Raw table billing.products is present as {raw_dir}/billing/products.csv and {folder}; keep "
            "either one file or one folder of extracts") in run.text
    (raw_dir / "billing" / "products.csv").unlink()
    (folder / "extra.csv").unlink()
    run = dbt("run", "--select", "base_billing__products")
    assert not run.success
    assert f"Raw folder {folder}/ holds no .csv or .parquet extract: required by source billing.products" in run.text
