"""What `csw build` leaves behind for the next command: an advisory lock while it runs, and a build
record in the warehouse that `csw publish` reads (DECISIONS.md, "One build at a time, and a record of
each").

- `build_lock(path)`: an exclusive `flock` on `<db>.lock` beside the DuckDB file (or a lock file in
  the target directory of another engine). A second `csw build` on the same database does not wait
  and does not touch the database: it exits naming the holder (pid, start time, raw directory). The
  kernel releases the lock when the holder exits, even on SIGKILL, so a stale lock file never blocks.
- `record_build_start/end()`: one row per build in `main.csw_build_record` of the DuckDB warehouse
  (inside the file, so a copy of the database carries its record): started/finished time, raw
  directory, as-of date, status `running` / `passed` / `failed` and what failed.
- `last_build(db)`: the latest row, for `csw publish` (it refuses unless it `passed`).
- `code_fingerprint()` and `unit_tests_verified_by()`: the fingerprint of everything a dbt unit
  test's result depends on (the project's models, macros, tests, seeds and config, the dbt and
  DuckDB versions, the build's vars), and the passed build with unit tests that had the same
  fingerprint: `csw build` then skips the unit tests, which check code, not data (DECISIONS.md,
  "A daily build does not re-run unchanged unit tests").
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

RECORD_TABLE = "main.csw_build_record"


class BuildLockedError(RuntimeError):
    """Another build holds the lock; the message names it."""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@contextmanager
def build_lock(lock_path: Path, what: str, raw_dir: Path | None = None) -> Iterator[None]:
    """Hold an exclusive advisory lock on `lock_path` for the duration; raise BuildLockedError when
    another process holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            try:
                info = json.loads(holder)
                described = (f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started_at')}, "
                             f"raw dir {info.get('raw_dir')}")
            except ValueError:
                described = "holder unknown (it has just started)"
            raise BuildLockedError(
                f"another csw build holds the lock on {what} ({described}); lock file {lock_path}. "
                "Wait for it to finish, or stop that process; the lock is released when it exits") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started_at": _now(),
                                 "raw_dir": str(raw_dir) if raw_dir else None}))
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


def _connect(db_path: Path, read_only: bool = False):
    import duckdb

    return duckdb.connect(str(db_path), read_only=read_only)


CODE_PATHS = ("models", "macros", "tests", "seeds", "dbt_project.yml", "profiles.yml")


def code_fingerprint(project_dir: Path, extra: str = "") -> str:
    """SHA-256 of the project's dbt code (every file under models/, macros/, tests/ except
    tests/python, seeds/, and dbt_project.yml, profiles.yml), the dbt-core, dbt-duckdb and DuckDB
    versions, and `extra` (the build's vars, target)."""
    from importlib.metadata import version

    digest = hashlib.sha256(extra.encode())
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}=={version(package)}\n".encode())
    for name in CODE_PATHS:
        root = project_dir / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            relative = path.relative_to(project_dir)
            if relative.parts[:2] == ("tests", "python") or "__pycache__" in relative.parts:
                continue
            digest.update(str(relative).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _ensure_record_table(con) -> None:
    con.execute(f"""create table if not exists {RECORD_TABLE} (
        build_id integer, started_at varchar, finished_at varchar, status varchar,
        raw_dir varchar, as_of_date varchar, pid integer, failures varchar)""")
    # columns added later (a warehouse recorded by an older csw gains them)
    con.execute(f"alter table {RECORD_TABLE} add column if not exists code_fingerprint varchar")
    con.execute(f"alter table {RECORD_TABLE} add column if not exists unit_tests varchar")
    con.execute(f"alter table {RECORD_TABLE} add column if not exists warnings varchar")


def record_build_start(db_path: Path, raw_dir: Path, as_of: str | None, code: str | None = None,
                       unit_tests: str | None = None) -> int:
    """Append a `running` row for this build; its id. `unit_tests`: 'ran' or 'skipped'."""
    with _connect(db_path) as con:
        _ensure_record_table(con)
        build_id = con.execute(f"select coalesce(max(build_id), 0) + 1 from {RECORD_TABLE}").fetchone()[0]
        con.execute(f"insert into {RECORD_TABLE} (build_id, started_at, status, raw_dir, as_of_date, pid, "
                    "code_fingerprint, unit_tests) values (?, ?, 'running', ?, ?, ?, ?, ?)",
                    [build_id, _now(), str(raw_dir), as_of, os.getpid(), code, unit_tests])
    return int(build_id)


def unit_tests_verified_by(db_path: Path, code: str) -> int | None:
    """The id of a passed build of this warehouse that ran the unit tests on the same code, or None."""
    import duckdb

    if not db_path.exists():
        return None
    with _connect(db_path, read_only=True) as con:
        try:
            row = con.execute(f"select max(build_id) from {RECORD_TABLE} where status = 'passed' "
                              "and unit_tests = 'ran' and code_fingerprint = ?", [code]).fetchone()
        except (duckdb.CatalogException, duckdb.BinderException):
            return None
    return None if row is None or row[0] is None else int(row[0])


def record_build_end(db_path: Path, build_id: int, passed: bool, failures: list[str],
                     warnings: list[str] | None = None) -> None:
    """Close this build's row: passed or failed, what failed and what it warned about."""
    with _connect(db_path) as con:
        _ensure_record_table(con)
        con.execute(f"update {RECORD_TABLE} set finished_at = ?, status = ?, failures = ?, warnings = ? "
                    "where build_id = ?",
                    [_now(), "passed" if passed else "failed", json.dumps(failures),
                     json.dumps(warnings or []), build_id])


@dataclass(frozen=True)
class BuildRecord:
    build_id: int
    started_at: str
    finished_at: str | None
    status: str
    raw_dir: str
    as_of_date: str | None
    failures: list[str]


def last_build(db_path: Path) -> BuildRecord | None:
    """The latest build of the warehouse, or None when it has no record (not built by csw build)."""
    import duckdb

    with _connect(db_path, read_only=True) as con:
        try:
            row = con.execute(f"select build_id, started_at, finished_at, status, raw_dir, as_of_date, failures"
                              f" from {RECORD_TABLE} order by build_id desc limit 1").fetchone()
        except duckdb.CatalogException:
            return None
    if row is None:
        return None
    return BuildRecord(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]) if row[6] else [])


def publish_refusal(db_path: Path) -> str | None:
    """Why `csw publish` must not publish this warehouse, or None when its last build passed."""
    record = last_build(db_path)
    if record is None:
        return (f"{db_path} has no build record (table {RECORD_TABLE}): publish only a warehouse built by "
                f"csw build (csw build --raw-dir DIR --db {db_path})")
    if record.status == "passed":
        return None
    if record.status == "running":
        return (f"the last build of {db_path} (started {record.started_at}, raw dir {record.raw_dir}) did not "
                "finish: it is still running or was killed; publish after a build that passed")
    shown = record.failures[:10]
    more = f" and {len(record.failures) - len(shown)} more" if len(record.failures) > len(shown) else ""
    return (f"the last build of {db_path} (started {record.started_at}, raw dir {record.raw_dir}) failed: "
            + ("; ".join(shown) if shown else "see its output") + more
            + ". Fix it and run csw build again; the published snapshot stays as it is")
