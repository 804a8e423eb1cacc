"""Load the raw directory into PostgreSQL's `raw` schema (`csw build --target postgres`).

`raw_export.export_raw_tables` reads and checks the files exactly like the DuckDB
loader and writes one Parquet per table; each is then streamed to Postgres with
`COPY ... FROM STDIN (FORMAT csv)` from CSV text DuckDB writes (set-based: no Python
row loop). Tables are recreated (`raw.<identifier>`: every declared column text,
`_source_file` text, `_source_file_id` text, `_source_row_number` bigint) in one transaction.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Mapping

import duckdb

from csw.engines.raw_export import ExportedTable, export_raw_tables
from csw.sql import literal

INSTALL_HINT = ("PostgreSQL target needs the `postgres` extra: "
                ".venv/bin/pip install -c requirements.lock -e '.[postgres]'")


class MissingDriverError(RuntimeError):
    """psycopg2 or dbt-postgres is not installed."""


def check_driver() -> None:
    """Raise a clear error when the `postgres` extra is not installed."""
    try:
        import dbt.adapters.postgres  # noqa: F401
        import psycopg2  # noqa: F401
    except ImportError as exc:
        raise MissingDriverError(f"{INSTALL_HINT} ({exc})") from None


def connect(env: Mapping[str, str]):
    """A psycopg2 connection from the CSW_PG_* variables (profiles.yml defaults)."""
    import psycopg2

    return psycopg2.connect(
        host=env.get("CSW_PG_HOST", "127.0.0.1"),
        port=int(env.get("CSW_PG_PORT", "5432")),
        user=env.get("CSW_PG_USER", "postgres"),
        password=env.get("CSW_PG_PASSWORD", ""),
        dbname=env.get("CSW_PG_DBNAME", "csw"),
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _create_sql(exported: ExportedTable) -> str:
    t = exported.table
    relation = f"{_quote(t.schema)}.{_quote(t.identifier)}"
    columns = [f"{_quote(c)} text" for c in t.columns]
    columns += ["_source_file text", "_source_file_id text", "_source_row_number bigint"]
    return f"drop table if exists {relation};\ncreate table {relation} ({', '.join(columns)})"


def _copy_table(cursor, exported: ExportedTable, csv_path: Path) -> None:
    """Parquet -> CSV (DuckDB) -> COPY FROM STDIN; NULL is unquoted empty, '' stays ''."""
    t = exported.table
    parquet, target = literal(exported.parquet_path), literal(csv_path)
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        con.execute(f"copy (select * from read_parquet({parquet})) to {target} "
                    "(format csv, header false, force_quote *)")
    columns = ", ".join(_quote(c) for c in (*t.columns, "_source_file", "_source_file_id", "_source_row_number"))
    relation = f"{_quote(t.schema)}.{_quote(t.identifier)}"
    with csv_path.open("rb") as handle:
        cursor.copy_expert(f"copy {relation} ({columns}) from stdin (format csv)", handle)


def load_raw(raw_dir: Path, env: Mapping[str, str], log=print) -> list[ExportedTable]:
    """Export, then (re)create and fill every raw table in one transaction."""
    check_driver()
    with tempfile.TemporaryDirectory(prefix="csw_pg_raw_") as tmp:
        tmp_dir = Path(tmp)
        exported = export_raw_tables(raw_dir, tmp_dir / "parquet")
        con = connect(env)
        try:
            with con, con.cursor() as cursor:
                for schema in sorted({e.table.schema for e in exported}):
                    cursor.execute(f"create schema if not exists {_quote(schema)}")
                for item in exported:
                    cursor.execute(_create_sql(item))
                    if item.source_paths:
                        _copy_table(cursor, item, tmp_dir / f"{item.table.identifier}.csv")
                        log(f"Loaded raw file{'s' if len(item.source_paths) > 1 else ''} "
                            f"{', '.join(item.source_paths)} into "
                            f"{item.table.schema}.{item.table.identifier} ({item.rows} rows)")
                    else:
                        log(f"Input of optional source {item.table.source_name}."
                            f"{item.table.table_name} is missing: created empty table "
                            f"{item.table.schema}.{item.table.identifier}")
        finally:
            con.close()
    return exported
