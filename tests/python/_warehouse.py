"""Helpers shared by the end-to-end tests: generate, build, read marts, compare."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import duckdb
import pandas as pd

from csw.cli import main as csw_main
from csw.runner import PROJECT_DIR

# the bundled demo data (make demo-data; test_demo_data keeps it equal to the generator's output)
DEMO_RAW_DIR = PROJECT_DIR / "data" / "demo"


@dataclass(frozen=True)
class Warehouse:
    """A generated raw directory and the DuckDB file built from it."""

    raw_dir: Path
    db_path: Path

    @property
    def truth_dir(self) -> Path:
        return self.raw_dir / "_truth"

    def query(self, sql: str) -> pd.DataFrame:
        """Rows as Python objects (Decimal, date, int, bool): no float or NaN coercion."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)

    def truth(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.truth_dir / f"{name}.csv", dtype=str, keep_default_na=False)


def relation_digests(db_path: Path) -> dict[str, tuple[int, str]]:
    """(row count, md5 of the rows' text in sorted order) of every relation in the built schemas,
    without the run metadata of incremental models (`_csw_*` columns: which run wrote a row)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts') order by 1, 2"
        ).fetchall()
        digests = {}
        for schema, name in relations:
            run_metadata = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? and column_name like '\\_csw\\_%' escape '\\'", [schema, name]).fetchall()]
            exclude = f" exclude ({', '.join(run_metadata)})" if run_metadata else ""
            digests[f"{schema}.{name}"] = con.execute(
                "select count(*), md5(coalesce(string_agg(cast(t as varchar), '\n' "
                f"order by cast(t as varchar)), '')) from (select *{exclude} from \"{schema}\".\"{name}\") as t"
            ).fetchone()
        return digests


def generate_and_build(workdir: Path, accounts: int, months: int, seed: int,
                       extra: Sequence[str] = ()) -> Warehouse:
    """Run `csw generate` then `csw build`; fail loudly if either fails."""
    raw_dir = workdir / "raw"
    db_path = workdir / "warehouse.duckdb"
    rc = csw_main(
        ["generate", "--out", str(raw_dir), "--accounts", str(accounts),
         "--months", str(months), "--seed", str(seed), *extra]
    )
    assert rc == 0, "csw generate failed"
    rc = csw_main(["build", "--raw-dir", str(raw_dir), "--db", str(db_path), "--no-progress"])
    assert rc == 0, "csw build failed (see the dbt output above)"
    return Warehouse(raw_dir=raw_dir, db_path=db_path)


def _canonical(value, exact: bool = False) -> str:
    """One text form per value so marts (typed) and truth (CSV text) compare exactly.

    Truth files write money with 2 decimals, so by default a Decimal with 2 or more
    decimals is shown with 2. `exact=True` (engine vs engine) keeps every digit and
    drops only trailing zeros: Decimal('0.123450') == Decimal('0.12345') but != 0.12.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if exact:
            text = f"{value:f}"
            text = text.rstrip("0").rstrip(".") if "." in text else text
            return "0" if text == "-0" else text
        return f"{value:.2f}" if value.as_tuple().exponent <= -2 else str(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if text.lower() in ("true", "false"):
        return text.lower()
    return text


def canonical_frame(frame: pd.DataFrame, columns: list[str], exact: bool = False) -> pd.DataFrame:
    out = pd.DataFrame({col: [_canonical(v, exact) for v in frame[col].tolist()] for col in columns})
    return out.sort_values(columns).reset_index(drop=True)


def diff_frames(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str], values: list[str],
                limit: int = 15, exact: bool = False) -> list[str]:
    """Row-by-row differences, keyed; a readable line per mismatch (the first `limit`).

    `exact`: compare decimals with all their digits (see `_canonical`).
    """
    cols = keys + values
    a = canonical_frame(actual, cols, exact)
    e = canonical_frame(expected, cols, exact)
    merged = a.merge(e, on=keys, how="outer", suffixes=("_mart", "_truth"), indicator=True)
    problems: list[str] = []
    for record in merged.to_dict("records"):
        key = ", ".join(f"{k}={record[k]}" for k in keys)
        side = record["_merge"]
        if side == "left_only":
            problems.append(f"only in mart: {key} " + _values(record, values, "_mart"))
        elif side == "right_only":
            problems.append(f"only in truth: {key} " + _values(record, values, "_truth"))
        else:
            diffs = [
                f"{v}: mart={record[v + '_mart']!r} truth={record[v + '_truth']!r}"
                for v in values
                if record[v + "_mart"] != record[v + "_truth"]
            ]
            if diffs:
                problems.append(f"{key}: " + "; ".join(diffs))
    total = len(problems)
    shown = problems[:limit]
    if total > limit:
        shown.append(f"... and {total - limit} more")
    return shown


def _values(record: dict, values: list[str], suffix: str) -> str:
    return "(" + ", ".join(f"{v}={record[v + suffix]!r}" for v in values) + ")"
