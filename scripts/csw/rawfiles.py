"""Find, check, scan and plan the load of the raw tables: the part of the raw loader that Python
does for every engine (docs/spec/raw_sources.md, "Files"; DECISIONS.md, "Raw files are checked by
Python, read by the engine" and "Raw load manifest").

`plan_raw_load()` is called by the DuckDB loader macro through the SQL function `csw_plan_raw_load`
(registered by the dbt-duckdb plugin `csw.engines.duckdb_plugin`) and by the exporter of the other
engines (`csw.engines.raw_export`). For every table it

- finds its files: one file `<raw_dir>/<source>/<table>.csv` (or `.parquet`), or a folder
  `<raw_dir>/<source>/<table>/` of extracts (`*.csv`, `*.parquet`, any names, loaded in name
  order). Paths are literal, never glob patterns (a `--raw-dir` containing `*`, `?` or `[a]` reads
  nothing from other folders), and `duckdb_literal_path()` escapes those characters for DuckDB's
  readers, which always glob;
- refuses a table present twice (`.csv` and `.parquet`, or a file and a folder), anything that is
  not a regular file (a FIFO or a device would hang the build), and a symlink that leads outside
  the raw directory;
- compares the files with the load manifest (what is already in the raw table: path, size,
  modification time, content fingerprint, rows) and decides: load only the new files ('append'),
  nothing ('unchanged'), or everything ('full': first load, --full-refresh, or a loaded file that
  changed or disappeared, and the reason says which);
- scans each file it will load (csw.rawscan; large files in parts on worker processes): reads a
  CSV with the stated dialect (UTF-8, optional BOM, comma, `"` quote doubled to escape, header
  row, no comment character, CR, LF or CRLF line ends, mixed), refuses a ragged row, an
  unterminated quote or bytes that are not UTF-8 with the file and line number, counts the data
  records in the file itself (so the loader can check that every one was loaded), and checks the
  documented columns (missing -> error; duplicated -> error; extra -> a warning).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from csw.rawscan import RawInputError, parallel_scans, scan_csv

GLOB_CHARACTERS = "*?["


@dataclass
class RawFileInfo:
    """One raw file of a table: what the loader needs to read it, and what the load manifest keeps."""

    path: str
    format: str  # 'csv' or 'parquet'
    size_bytes: int
    modified_ns: int
    file_id: str = ""  # content fingerprint (csw.rawfiles.file_fingerprint); '' until scanned
    header: list[str] = field(default_factory=list)  # the file's columns, in file order
    positions: dict[str, int] = field(default_factory=dict)  # documented column -> 0-based position
    rows: int = 0  # data records in the file


@dataclass
class RawTablePlan:
    """How the loader brings one raw table up to date with its files (plan_raw_table)."""

    source_name: str
    table_name: str
    mode: str  # 'full' (create the table from every file), 'append' (load the new files), 'unchanged'
    reason: str  # why a full load, in words ('' for append/unchanged)
    # the only reason is files moved to a new path (`csw generate-day` moving a single-file table
    # into its folder): said as information, not as a warning about the extract tool
    moved_only: bool = False
    files: list[RawFileInfo] = field(default_factory=list)  # every current file (the new manifest)
    load: list[str] = field(default_factory=list)  # paths to load, in order
    warnings: list[str] = field(default_factory=list)


def duckdb_literal_path(path: str) -> str:
    """`path` as a DuckDB file pattern that matches exactly that file (DuckDB readers always glob)."""
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in path)


def raw_file_candidates(raw_dir: str | os.PathLike, source: str, table: str) -> tuple[str, str, str]:
    """The three places a table may be: `<table>.csv`, `<table>.parquet`, the folder `<table>/`."""
    root = str(raw_dir)
    if len(root) > 1:
        root = root.rstrip("/")
    base = f"{root}/{source}/{table}"
    return base + ".csv", base + ".parquet", base


def list_table_files(raw_dir: str | os.PathLike, source: str, table: str,
                     optional: bool = False) -> tuple[list[str], list[str]]:
    """(paths of the table's files in load order, warnings); RawInputError naming what is wrong.

    A table is one file (`<table>.csv` or `.parquet`) or a folder `<table>/` of extracts (`*.csv`,
    `*.parquet`, loaded in name order; hidden names starting with '.' are skipped, anything else
    is named in a warning and skipped). Two of those at once are refused: which is current cannot
    be guessed. Paths are literal, never patterns.
    """
    root = Path(raw_dir)
    if not root.is_dir():
        raise RawInputError(f"Raw directory {raw_dir} is not a directory")
    csv_path, parquet_path, folder = raw_file_candidates(raw_dir, source, table)
    present = [p for p in (csv_path, parquet_path, folder) if os.path.lexists(p)]
    if len(present) == 2 and folder not in present:
        raise RawInputError(
            f"Raw table {source}.{table} is present twice: {csv_path} and {parquet_path}; "
            "keep one of them (which one is the current extract cannot be guessed)")
    if len(present) > 1:
        raise RawInputError(
            f"Raw table {source}.{table} is present as {' and '.join(present)}; keep either one file or "
            "one folder of extracts (which one is current cannot be guessed)")
    if not present:
        if optional:
            return [], [f"Input of optional source {source}.{table} is missing ({csv_path}): its raw table "
                        "is empty, and so is everything built from it"]
        raise RawInputError(
            f"Raw file {csv_path} is missing (nor is there {parquet_path} or a folder {folder}/): "
            f"required by source {source}.{table}")
    path = present[0]
    if path != folder:
        _check_regular_file(path, root)
        return [path], []
    _check_inside(folder, root, what="Raw folder")
    if not os.path.isdir(folder):
        raise RawInputError(f"Raw file {folder} is not a .csv or .parquet file nor a folder: refused")
    files, warnings = [], []
    for name in sorted(os.listdir(folder)):
        if name.startswith("."):
            continue
        path = f"{folder}/{name}"
        if name.endswith((".csv", ".parquet")) and not os.path.isdir(path):
            _check_regular_file(path, root)
            files.append(path)
        else:
            warnings.append(f"Raw folder {folder} holds {name}, which is not a .csv or .parquet extract: ignored")
    if not files:
        if optional:
            return [], [*warnings, f"Input of optional source {source}.{table} is missing (the folder "
                                   f"{folder}/ holds no extract): its raw table is empty"]
        raise RawInputError(f"Raw folder {folder}/ holds no .csv or .parquet extract: "
                            f"required by source {source}.{table}")
    return files, warnings


def file_fingerprint(path: str, relative_name: str) -> str:
    """Content fingerprint of one raw file: SHA-256 of its name within the table and its bytes
    (two identical extracts under two names stay two files), first 16 hex digits."""
    digest = hashlib.sha256(relative_name.encode() + b"\0")
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def inspect_raw_file(path: str, columns: list[str], relative_name: str, file_id: str = "") -> RawFileInfo:
    """Scan one raw file: header, documented column positions, record count, fingerprint (taken
    from `file_id` when the caller has just computed it)."""
    st = os.stat(path)
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
    return RawFileInfo(path=path, format=fmt, size_bytes=st.st_size, modified_ns=st.st_mtime_ns,
                       file_id=file_id or file_fingerprint(path, relative_name), header=header,
                       positions=positions, rows=rows)


def plan_raw_table(raw_dir: str | os.PathLike, source: str, table: str, columns: list[str],
                   optional: bool = False, known: list[dict] | None = None,
                   full: bool = False) -> RawTablePlan:
    """Check the table's files and decide what to load, given `known`: the manifest entries of
    the files already in the raw table (path, size_bytes, modified_ns, file_id, rows), or None
    when the table is not loaded.

    - no known files (first load), `full` (--full-refresh), a known file removed, or a known file
      whose content changed (size or modification time differ and so does the fingerprint):
      'full', every file is (re)loaded and `reason` says why; a removed file that a new file
      matches by size and modification time is named as moved (`moved_only` when that is all);
    - otherwise the files not yet known are loaded ('append'), or nothing ('unchanged').
    Only files that will be loaded are read (scanned and fingerprinted); a known file is
    trusted by path, size and modification time, as make and rsync do.
    """
    paths, warnings = list_table_files(raw_dir, source, table, optional)
    _, _, folder = raw_file_candidates(raw_dir, source, table)
    known_by_path = {entry["path"]: entry for entry in (known or [])}
    current: list[RawFileInfo] = []
    reasons: list[str] = []
    fingerprinted: set[str] = set()  # read in this call: their id is not computed a second time
    if known is None:
        reasons.append("first load")
    elif full:
        reasons.append("--full-refresh")
    stats = {path: os.stat(path) for path in paths}
    removed = [p for p in known_by_path if p not in stats]
    moves = _moved_files([known_by_path[p] for p in removed],
                         {p: (st.st_size, st.st_mtime_ns) for p, st in stats.items() if p not in known_by_path})
    gone = [p for p in removed if p not in moves]
    if moves:
        shown = ", ".join(f"{old} -> {new}" for old, new in list(moves.items())[:3])
        reasons.append(f"{len(moves)} loaded file(s) moved ({shown})")
    if gone:
        reasons.append(f"{len(gone)} loaded file(s) removed ({', '.join(gone[:3])})")
    for path, st in stats.items():
        entry = known_by_path.get(path)
        info = RawFileInfo(path=path, format="csv" if path.endswith(".csv") else "parquet",
                           size_bytes=st.st_size, modified_ns=st.st_mtime_ns)
        if entry is not None:
            if (entry["size_bytes"], entry["modified_ns"]) == (st.st_size, st.st_mtime_ns):
                info.file_id, info.rows = entry["file_id"], int(entry["rows"])
            else:
                info.file_id = file_fingerprint(path, _relative_name(path, folder))
                fingerprinted.add(path)
                if info.file_id != entry["file_id"]:
                    reasons.append(f"{path} changed since it was loaded")
                info.rows = int(entry["rows"])
        current.append(info)
    mode = "full" if reasons else "append"
    to_load = [i for i in current if mode == "full" or i.path not in known_by_path]
    if mode == "append" and not to_load:
        mode = "unchanged"
    scanned = {i.path: inspect_raw_file(i.path, columns, _relative_name(i.path, folder),
                                        i.file_id if i.path in fingerprinted else "")
               for i in to_load}
    current = [scanned.get(i.path, i) for i in current]
    for info in scanned.values():
        extra_here = [name for name in info.header if name not in columns]
        if extra_here:
            warnings.append(f"Raw file {info.path} has extra columns, ignored: {', '.join(extra_here)}")
    return RawTablePlan(source_name=source, table_name=table, mode=mode, reason="; ".join(reasons),
                        moved_only=bool(moves) and len(reasons) == 1,
                        files=current, load=[i.path for i in current if i.path in scanned],
                        warnings=warnings)


def _moved_files(removed: list[dict], new_files: dict[str, tuple[int, int]]) -> dict[str, str]:
    """{loaded path: its new path} for each removed manifest entry that a new file (path -> size,
    modification time) matches by size and modification time (a rename keeps both), each new file
    matched at most once. The table is still reloaded in full: its rows name their file, and file
    order can change."""
    by_stat: dict[tuple[int, int], list[str]] = {}
    for path, size_and_time in new_files.items():
        by_stat.setdefault(size_and_time, []).append(path)
    moves = {}
    for entry in removed:
        candidates = by_stat.get((int(entry["size_bytes"]), int(entry["modified_ns"])))
        if candidates:
            moves[entry["path"]] = candidates.pop(0)
    return moves


def _relative_name(path: str, folder: str) -> str:
    return path[len(folder) + 1:] if path.startswith(folder + "/") else os.path.basename(path)


def plan_raw_load(raw_dir: str, tables: list[dict], known: dict[str, list[dict] | None],
                  full: bool = False) -> list[RawTablePlan]:
    """Plans of every table (`tables`: source_name, table_name, columns, optional; `known`: per
    '<source>.<table>' the manifest entries of the loaded raw table, None if not loaded). Every file
    is checked before any plan is returned, so one bad file stops the load before anything is written."""
    with parallel_scans():
        return [plan_raw_table(raw_dir, t["source_name"], t["table_name"], list(t["columns"]),
                               bool(t.get("optional", False)), known.get(f"{t['source_name']}.{t['table_name']}"),
                               full) for t in tables]


def plan_raw_load_json(raw_dir: str, tables_json: str, known_json: str, full: bool) -> str:
    """SQL entry point (csw_plan_raw_load): plan_raw_load with JSON in and out."""
    plans = plan_raw_load(raw_dir, json.loads(tables_json), json.loads(known_json), bool(full))
    return json.dumps([asdict(p) for p in plans])


def _check_inside(path: str, root: Path, what: str) -> None:
    if os.path.islink(path):
        target = Path(path).resolve()
        if not target.is_relative_to(root.resolve()):
            raise RawInputError(
                f"{what} {path} is a symlink to {target}, outside the raw directory {root}: refused "
                "(copy it into the raw directory, or link to a place inside it)")


def _check_regular_file(path: str, root: Path) -> None:
    _check_inside(path, root, what="Raw file")
    try:
        mode = os.stat(path).st_mode  # never open() first: opening a FIFO blocks
    except OSError as exc:
        raise RawInputError(f"Raw file {path} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a directory" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
        raise RawInputError(f"Raw file {path} is {kind}, not a regular file: refused")


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
