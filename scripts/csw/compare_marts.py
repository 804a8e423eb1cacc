"""Are two warehouses' marts the same? The "no behaviour change" check of a refactoring.

Build the same raw directory before and after a change into two DuckDB files, then
``csw compare-marts BEFORE.duckdb AFTER.duckdb``: for every table of the ``marts`` schema it
compares the column names, order and types, and the rows as multisets (``EXCEPT ALL`` both
ways), so a changed value, a lost or an extra duplicate row, a renamed column or a widened type
all show. Exit code 0 only when every mart of both files is equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from csw.sql import literal

SCHEMA = "marts"


@dataclass
class MartComparison:
    """The outcome for one mart: its row count on each side and what differs (empty: equal)."""

    table: str
    rows_before: int | None = None
    rows_after: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.problems


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        f" where table_catalog = {literal(catalog)} and table_schema = {literal(SCHEMA)}"
    ).fetchall()
    return {name for (name,) in rows}


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        f" where table_catalog = {literal(catalog)} and table_schema = {literal(SCHEMA)}"
        f" and table_name = {literal(table)} order by ordinal_position"
    ).fetchall()


def compare_marts(before: Path, after: Path) -> list[MartComparison]:
    """Compare every mart of two DuckDB warehouses (opened read-only), one result per mart name."""
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(str(before))} as before_db (read_only)")
        con.execute(f"attach {literal(str(after))} as after_db (read_only)")
        old, new = _tables(con, "before_db"), _tables(con, "after_db")
        results = []
        for table in sorted(old | new):
            result = MartComparison(table)
            results.append(result)
            if table not in new or table not in old:
                result.problems.append("only before" if table in old else "only after")
                continue
            cols_before, cols_after = _columns(con, "before_db", table), _columns(con, "after_db", table)
            if cols_before != cols_after:
                result.problems.append(f"columns differ: {cols_before} != {cols_after}")
                continue
            a, b = f'before_db.{SCHEMA}."{table}"', f'after_db.{SCHEMA}."{table}"'
            result.rows_before = con.execute(f"select count(*) from {a}").fetchone()[0]
            result.rows_after = con.execute(f"select count(*) from {b}").fetchone()[0]
            only_before = con.execute(f"select count(*) from (from {a} except all from {b})").fetchone()[0]
            only_after = con.execute(f"select count(*) from (from {b} except all from {a})").fetchone()[0]
            if only_before or only_after:
                result.problems.append(f"{only_before} row(s) only before, {only_after} only after")
        return results
    finally:
        con.close()


def report_lines(results: list[MartComparison]) -> list[str]:
    """One line per mart and a verdict line, as ``csw compare-marts`` prints them."""
    lines = [
        f"{'equal' if r.equal else 'DIFFERENT'}  {SCHEMA}.{r.table}"
        + (f"  rows {r.rows_before}" if r.equal else f"  {'; '.join(r.problems)}")
        for r in results
    ]
    different = [r.table for r in results if not r.equal]
    lines.append(
        f"{len(results)} marts compared: all equal (columns, types, rows)"
        if not different
        else f"{len(results)} marts compared: {len(different)} different: {', '.join(different)}"
    )
    return lines
