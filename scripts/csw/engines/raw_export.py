"""Read the raw directory exactly as the DuckDB loader does, for the other engines.

`declared_raw_tables()` reads the source YAML files (models/staging/*/_*__sources.yml):
the same list of tables and columns as `csw_declared_raw_tables()` in
macros/loader/load_raw_sources.sql. `export_raw_tables()` checks every file and column
first (csw.rawfiles.plan_raw_load, as the DuckDB loader: one error naming the file and the
column, before anything is written), then writes one Parquet file per table with every
declared column as VARCHAR plus `_source_file`, `_source_file_id` (content fingerprint) and
`_source_row_number` (1-based data row number within its file), the layout of the `raw`
schema on every engine. A table may be one file or a folder of extracts; the export always
holds every file (the engines other than DuckDB reload raw in full on every build).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from csw.rawfiles import RawInputError, duckdb_literal_path, plan_raw_table
from csw.runner import PROJECT_DIR
from csw.sql import literal as _literal

log = logging.getLogger(__name__)

LOADER_COLUMNS = ("_source_file", "_source_file_id", "_source_row_number")
# The stated CSV dialect, as in the DuckDB loader macro: nothing sniffed; records were checked well
# formed by csw.rawfiles first, and the exported row count is checked against the file's.
CSV_DIALECT = ("header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', comment = '', "
               "strict_mode = false, null_padding = false, ignore_errors = false")

__all__ = ["RawInputError", "RawTable", "ExportedTable", "declared_raw_tables", "export_raw_tables"]


@dataclass(frozen=True)
class RawTable:
    source_name: str
    table_name: str
    schema: str
    identifier: str
    columns: tuple[str, ...]
    optional: bool = False


@dataclass
class ExportedTable:
    table: RawTable
    parquet_path: Path
    source_paths: list[str]  # empty: optional source whose input is missing (empty table)
    rows: int
    extra_columns: list[str] = field(default_factory=list)


def declared_raw_tables(project_dir: Path = PROJECT_DIR) -> list[RawTable]:
    """Every source table of this project, sorted like the macro (by source, then table)."""
    tables: list[RawTable] = []
    for path in sorted((project_dir / "models" / "staging").glob("*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for source in document.get("sources", []):
            source_meta = {**(source.get("meta") or {}),
                           **((source.get("config") or {}).get("meta") or {})}
            for table in source.get("tables", []):
                meta = {**source_meta, **(table.get("meta") or {}),
                        **((table.get("config") or {}).get("meta") or {})}
                columns = tuple(c["name"] for c in table.get("columns", [])
                                if c["name"] not in LOADER_COLUMNS)
                tables.append(RawTable(
                    source_name=source["name"],
                    table_name=table["name"],
                    schema=source.get("schema", source["name"]),
                    identifier=table.get("identifier", table["name"]),
                    columns=columns,
                    optional=bool(meta.get("optional", False)),
                ))
    return sorted(tables, key=lambda t: (t.source_name, t.table_name))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def export_raw_tables(raw_dir: Path, out_dir: Path,
                      tables: list[RawTable] | None = None) -> list[ExportedTable]:
    """Check, then export every declared raw table to `<out_dir>/<identifier>.parquet`."""
    tables = declared_raw_tables() if tables is None else tables
    raw_root = str(raw_dir.resolve()).rstrip("/")
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("set preserve_insertion_order = true")
        plans = []
        # 1. Check every file and column before writing anything (csw.rawfiles, as the DuckDB loader).
        for t in tables:
            plan = plan_raw_table(raw_root, t.source_name, t.table_name, list(t.columns), t.optional)
            for message in plan.warnings:
                log.warning("%s", message)
            plans.append((t, plan))
        # 2. Export: every file of a table, in load order, into one Parquet file.
        exported: list[ExportedTable] = []
        for t, plan in plans:
            target = out_dir / f"{t.identifier}.parquet"
            parts = []
            for info in plan.files:
                pattern = _literal(duckdb_literal_path(info.path))
                if info.format == "csv":
                    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(info.header)))
                    reader = f"read_csv({pattern}, {CSV_DIALECT}, columns = {{{columns}}})"
                    select = ",\n".join(f"cast(c{info.positions[c]} as varchar) as {_quote(c)}" for c in t.columns)
                else:
                    reader = f"read_parquet({pattern})"
                    select = ",\n".join(f"cast({_quote(c)} as varchar) as {_quote(c)}" for c in t.columns)
                parts.append(f"select * from (select {select},\n cast({_literal(info.path)} as varchar) as _source_file,\n"
                             f" cast({_literal(info.file_id)} as varchar) as _source_file_id,\n"
                             f" cast(row_number() over () as bigint) as _source_row_number\nfrom {reader})")
            if not parts:
                select = ",\n".join(f"cast(null as varchar) as {_quote(c)}" for c in t.columns)
                parts.append(f"select {select},\n cast(null as varchar) as _source_file,\n"
                             f" cast(null as varchar) as _source_file_id,\n"
                             f" cast(null as bigint) as _source_row_number\nwhere false")
            con.execute(f"copy ({' union all '.join(parts)}) to {_literal(str(target))} (format parquet)")
            rows = con.execute(f"select count(*) from read_parquet({_literal(duckdb_literal_path(str(target)))})").fetchone()[0]
            expected = sum(info.rows for info in plan.files)
            if rows != expected:
                raise RawInputError(f"Raw files {', '.join(i.path for i in plan.files)} have {expected} records but "
                                    f"{rows} were exported: a file does not follow the stated CSV dialect (raw_sources.md)")
            extra = sorted({c for info in plan.files for c in info.header if c not in t.columns})
            exported.append(ExportedTable(t, target, [i.path for i in plan.files], rows, extra))
        return exported
    finally:
        con.close()
