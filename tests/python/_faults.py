"""Helpers for the fault-matrix, idempotency and security tests: a small clean dataset, CSV edits,
dbt runs at fixed paths (so dbt's partial parse is reused between cases) and mart checksums."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from csw.generate import generate
from csw.runner import DbtResult, run_dbt

# One small world without faults and without the product source: 60 accounts x 6 months.
SMALL = dict(accounts=60, months=6, seed=3, faults=frozenset(), product_source=False)
SALT = "pytest-salt"


def generate_small(out: Path) -> Path:
    generate(out, **SMALL)
    return out


class Workspace:
    """A raw directory and a database at fixed paths, rebuilt per case; dbt's target path is shared."""

    def __init__(self, root: Path):
        self.root = root
        self.raw_dir = root / "case" / "raw"
        self.db_path = root / "case" / "warehouse.duckdb"
        self.target = root / "target"
        self.logs = root / "logs"

    def reset(self, raw_source: Path, db_source: Path | None = None) -> None:
        for other in self.raw_dir.parent.iterdir() if self.raw_dir.parent.exists() else []:
            if other.is_dir() and not other.is_symlink():  # raw dirs a case added beside `raw`
                shutil.rmtree(other, ignore_errors=True)
        shutil.rmtree(self.raw_dir, ignore_errors=True)
        shutil.copytree(raw_source, self.raw_dir, ignore=shutil.ignore_patterns("_truth"))
        for suffix in ("", ".wal"):
            Path(str(self.db_path) + suffix).unlink(missing_ok=True)
        if db_source is not None:
            shutil.copyfile(db_source, self.db_path)

    def dbt(self, *args: str, raw_dir: Path | None = None, reload_raw: bool | None = None) -> DbtResult:
        """A dbt command on the case's database; `raw_dir` another raw directory, which it is allowed to
        load into the warehouse (CSW_RELOAD_RAW) unless `reload_raw` is False."""
        reload_raw = raw_dir is not None if reload_raw is None else reload_raw
        return run_dbt(
            [*args, "--target-path", str(self.target), "--log-path", str(self.logs)],
            env={"CSW_RAW_DIR": str(raw_dir or self.raw_dir), "CSW_DB_PATH": str(self.db_path),
                 "CSW_HASH_SALT": SALT, "CSW_RELOAD_RAW": "1" if reload_raw else ""},
            show_progress=False,
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return query(self.db_path, sql, params)


def query(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# --- CSV edits -------------------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    header, existing = read_rows(path)
    write_rows(path, header, existing + rows)


def set_values(path: Path, key_column: str, key: str, **changes: str) -> None:
    """Rewrite the raw CSV ``path`` with ``changes`` applied to every row whose ``key_column`` is ``key``."""
    header, rows = read_rows(path)
    for row in rows:
        if row[key_column] == key:
            row.update(changes)
    write_rows(path, header, rows)


# --- marts -----------------------------------------------------------------------------------


def mart_tables(db_path: Path) -> list[str]:
    return [r[0] for r in query(
        db_path,
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1",
    )]


def table_digest(db_path: Path, relation: str, where: str = "true") -> tuple[int, str]:
    """(row count, md5 of the rows' text in sorted order): equal iff the relation holds the same rows."""
    return query(
        db_path,
        "select count(*), md5(coalesce(string_agg(cast(t as varchar), '\n' order by cast(t as varchar)), ''))"
        f" from (select * from {relation} where {where}) as t",
    )[0]


def mart_checksum(db_path: Path, table: str) -> tuple[int, str]:
    return table_digest(db_path, '"marts"."' + table.replace('"', '""') + '"')


def checksums(db_path: Path, tables: list[str] | None = None) -> dict[str, tuple[int, str]]:
    return {t: mart_checksum(db_path, t) for t in (tables or mart_tables(db_path))}


# --- the clean world, shared by the fault-matrix, idempotency and security modules ----------------

# Every seed and model (no data or unit tests: the clean data passing them is proven by other suites).
FULL_RUN = ["build", "--resource-type", "seed", "--resource-type", "model"]


@dataclass(frozen=True)
class Clean:
    raw_dir: Path
    db_path: Path


_WORLD: dict[str, tuple[Workspace, Clean]] = {}


def clean_world(tmp_path_factory) -> tuple[Workspace, Clean]:
    """Generate the small clean world and build every model once per session; later callers reuse it
    (and its workspace paths, so dbt's partial parse is reused too)."""
    if "world" not in _WORLD:
        root = tmp_path_factory.mktemp("clean_world")
        clean_raw = generate_small(root / "clean_raw")
        ws = Workspace(root)
        ws.reset(clean_raw)
        result = ws.dbt(*FULL_RUN)
        assert result.success, result.text
        clean_db = root / "clean.duckdb"
        shutil.copyfile(ws.db_path, clean_db)
        _WORLD["world"] = (ws, Clean(raw_dir=clean_raw, db_path=clean_db))
    return _WORLD["world"]
