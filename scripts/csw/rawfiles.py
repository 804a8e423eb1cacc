"""Find, check and scan one raw table's file: the part of the raw loader that Python does for every
engine (docs/spec/raw_sources.md, "Files"; DECISIONS.md, "Raw files are checked by Python, read by
the engine").

`inspect_raw_table()` is called by the DuckDB loader macro through the SQL function
`csw_inspect_raw_table` (registered by the dbt-duckdb plugin `csw.engines.duckdb_plugin`) and by the
exporter of the other engines (`csw.engines.raw_export`). It

- takes the raw directory literally: `<raw_dir>/<source>/<table>.csv` or `.parquet` is looked up as
  a file name, never as a glob pattern (a `--raw-dir` containing `*`, `?` or `[a]` reads nothing
  from other folders), and `duckdb_literal_path()` escapes those characters for DuckDB's readers,
  which always glob;
- refuses a table present both as `.csv` and `.parquet` (naming both), anything that is not a
  regular file (a FIFO or a device would hang the build, a directory is not a table), and a
  symlink that leads outside the raw directory;
- reads a CSV with the stated dialect (UTF-8, optional BOM, comma, `"` quote doubled to escape,
  header row, no comment character, CR, LF or CRLF line ends, mixed), and refuses a ragged row, an
  unterminated quote or bytes that are not UTF-8 with the file and line number;
- counts the data records in the file itself, so the loader can check that every one of them was
  loaded (nothing dropped by a reader guessing comments or a dialect);
- checks the documented columns (missing -> error; duplicated -> error; extra -> a warning).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

GLOB_CHARACTERS = "*?["


class RawInputError(RuntimeError):
    """A raw file or a documented column is missing or unreadable; the message names it."""


@dataclass
class RawFileInfo:
    """What the loader needs to read one raw table."""

    path: str | None  # None: optional source whose file is missing (empty table)
    format: str | None  # 'csv' or 'parquet'
    header: list[str] = field(default_factory=list)  # the file's columns, in file order
    positions: dict[str, int] = field(default_factory=dict)  # documented column -> 0-based position
    rows: int = 0  # data records in the file
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def duckdb_literal_path(path: str) -> str:
    """`path` as a DuckDB file pattern that matches exactly that file (DuckDB readers always glob)."""
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in path)


def raw_file_candidates(raw_dir: str | os.PathLike, source: str, table: str) -> tuple[str, str]:
    root = str(raw_dir)
    if len(root) > 1:
        root = root.rstrip("/")
    base = f"{root}/{source}/{table}"
    return base + ".csv", base + ".parquet"


def inspect_raw_table(raw_dir: str | os.PathLike, source: str, table: str, columns: list[str],
                      optional: bool = False) -> RawFileInfo:
    """Check and scan the file of one raw table; raise RawInputError naming the problem."""
    root = Path(raw_dir)
    if not root.is_dir():
        raise RawInputError(f"Raw directory {raw_dir} is not a directory")
    csv_path, parquet_path = raw_file_candidates(raw_dir, source, table)
    present = [p for p in (csv_path, parquet_path) if os.path.lexists(p)]
    if len(present) == 2:
        raise RawInputError(
            f"Raw table {source}.{table} is present twice: {csv_path} and {parquet_path}; "
            "keep one of them (which one is the current extract cannot be guessed)")
    if not present:
        if optional:
            return RawFileInfo(path=None, format=None, warnings=[
                f"Input of optional source {source}.{table} is missing ({csv_path}): its raw table "
                "is empty, and so is everything built from it"])
        raise RawInputError(
            f"Raw file {csv_path} is missing (nor is there {parquet_path}): "
            f"required by source {source}.{table}")
    path = present[0]
    _check_regular_file(path, root)
    if path.endswith(".csv"):
        header, rows = scan_csv(path)
        fmt = "csv"
    else:
        header, rows = _scan_parquet(path)
        fmt = "parquet"
    positions: dict[str, int] = {}
    for column in columns:
        found = [i for i, name in enumerate(header) if name == column]
        if not found:
            raise RawInputError(f"Raw file {path} is missing required column '{column}'")
        if len(found) > 1:
            raise RawInputError(
                f"Raw file {path} has column '{column}' {len(found)} times in its header "
                f"(positions {', '.join(str(i + 1) for i in found)}): which one holds the data is ambiguous")
        positions[column] = found[0]
    warnings = []
    extra = [name for name in header if name not in columns]
    if extra:
        warnings.append(f"Raw file {path} has extra columns, ignored: {', '.join(extra)}")
    return RawFileInfo(path=path, format=fmt, header=header, positions=positions, rows=rows,
                       warnings=warnings)


def _check_regular_file(path: str, root: Path) -> None:
    if os.path.islink(path):
        target = Path(path).resolve()
        if not target.is_relative_to(root.resolve()):
            raise RawInputError(
                f"Raw file {path} is a symlink to {target}, outside the raw directory {root}: refused "
                "(copy the file into the raw directory, or link to a file inside it)")
    try:
        mode = os.stat(path).st_mode  # never open() first: opening a FIFO blocks
    except OSError as exc:
        raise RawInputError(f"Raw file {path} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a directory" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
        raise RawInputError(f"Raw file {path} is {kind}, not a regular file: refused")


def scan_csv(path: str) -> tuple[list[str], int]:
    """(header, number of data records) of a CSV in the stated dialect; RawInputError with the line."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=",", quotechar='"', doublequote=True, strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise RawInputError(f"Raw file {path} is empty: it has no header row") from None
            width = len(header)
            rows = 0
            while True:
                start = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    hint = " (unterminated quote)" if "end of data" in str(exc) else ""
                    raise RawInputError(f"Raw file {path}, line {start}: {exc}{hint}") from None
                if len(record) != width:
                    raise RawInputError(
                        f"Raw file {path}, line {start}: {len(record)} fields where the header has "
                        f"{width} (a ragged row{', or an empty line' if not record else ''})")
                rows += 1
    except UnicodeDecodeError as exc:
        raise RawInputError(f"Raw file {path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    return header, rows


def _scan_parquet(path: str) -> tuple[list[str], int]:
    import duckdb

    con = duckdb.connect()
    try:
        literal = "'" + duckdb_literal_path(path).replace("'", "''") + "'"
        try:
            header = [r[0] for r in con.execute(f"describe select * from read_parquet({literal})").fetchall()]
            rows = con.execute(f"select count(*) from read_parquet({literal})").fetchone()[0]
        except duckdb.Error as exc:
            raise RawInputError(f"Raw file {path} is not a readable Parquet file: {exc}") from None
        return header, int(rows)
    finally:
        con.close()


def inspect_raw_table_json(raw_dir: str, source: str, table: str, columns_json: str, optional: bool) -> str:
    """SQL entry point (csw_inspect_raw_table): the same, with the result as JSON text."""
    return inspect_raw_table(raw_dir, source, table, json.loads(columns_json), bool(optional)).to_json()


def raw_fingerprint(raw_dir: str, tables_json: str) -> str:
    """A digest of the raw directory's table files (path, size, modification time), read without
    opening any file: the loader reuses the raw tables when it equals the one of the last load."""
    entries = []
    for source, table in sorted(json.loads(tables_json)):
        for path in raw_file_candidates(raw_dir, source, table):
            try:
                st = os.stat(path)
                entries.append([path, st.st_size, st.st_mtime_ns])
            except OSError:
                if os.path.lexists(path):
                    entries.append([path, "dangling"])
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()
