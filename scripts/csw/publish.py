"""``csw publish``: a read-only, consistent snapshot of the marts for BI tools.

DuckDB allows one writer per database file, and a build rewrites the marts table
by table, so BI tools must not read the warehouse file itself. ``publish`` copies
every table of schema ``marts`` to Parquet in a new snapshot directory, adds a
``manifest.json`` and a small DuckDB ``catalog.duckdb`` with one view per mart
over those files, then switches the ``current`` symlink to it atomically::

    published/
      current -> snapshots/20261123T110700.123456Z-1a2b3c4d    (symlink)
      snapshots/
        20261123T110700.123456Z-1a2b3c4d/
          catalog.duckdb      views fct_mrr, dim_customers, ... (+ schema marts)
          manifest.json       mart -> rows, checksum, file; build time, as_of_date
          fct_mrr.parquet ...

Readers open ``published/current/catalog.duckdb`` read-only. The catalog is written in
DuckDB storage format v1.1.0 (``CATALOG_STORAGE_VERSION``), so the DuckDB that BI drivers
bundle (1.1 and later) opens it, and it carries the warehouse's table and column comments
(``persist_docs``) on its views: a BI tool shows the dbt descriptions. A snapshot never
changes after it is renamed into place, and the views name its Parquet files by
absolute path, so one connection always reads one whole snapshot, whatever the
publisher does meanwhile (see docs/publishing.md for the pruning rule).
POSIX only (symlinks, ``rename`` over a symlink, ``fcntl`` locks).
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

MARTS_SCHEMA = "marts"
CATALOG_NAME = "catalog.duckdb"
MANIFEST_NAME = "manifest.json"
SNAPSHOTS_DIR = "snapshots"
CURRENT_LINK = "current"
LOCK_NAME = ".publish.lock"
TMP_PREFIX = ".tmp-"
TRASH_PREFIX = ".trash-"
MANIFEST_FORMAT = 1
# Storage format of catalog.duckdb: the oldest DuckDB that must open it is 1.1 (what BI
# drivers bundle). A file written without it fails in DuckDB 1.x ("version number 999").
CATALOG_STORAGE_VERSION = "v1.1.0"
# Typed snapshot metadata (table csw_snapshot in the catalog): column -> (type, comment).
SNAPSHOT_COLUMNS = {
    "snapshot": ("varchar", "Name of this snapshot directory: <UTC publish time>-<8 hex>."),
    "as_of_date": ("date", "As-of date of the build (intermediate.int_as_of): the data is complete up to this day."),
    "built_at": ("timestamp", "When the warehouse file was last written (its mtime), UTC."),
    "published_at": ("timestamp", "When `csw publish` made this snapshot, UTC."),
    "writer_duckdb_version": ("varchar", "DuckDB version that wrote the Parquet files and this catalog."),
    "storage_version": ("varchar", "DuckDB storage format of this catalog (DuckDB 1.1 and later open it)."),
}
SNAPSHOT_TABLE_COMMENT = "One row: which snapshot this catalog is, its as-of date and when it was built and published."
DEFAULT_KEEP = 2
DEFAULT_GRACE_SECONDS = 600
# The content checksum of a mart: order-independent, exact (HUGEINT sum of 64-bit
# row hashes), computed over what readers get (the Parquet files). `hash` is
# DuckDB's, so compare checksums with the same DuckDB version (it is in the manifest).
CHECKSUM_METHOD = "sum(hash(row)) over all rows, as decimal text; duckdb hash()"


class PublishError(Exception):
    """A publish that could not complete; ``current`` was not changed."""


@dataclass
class PublishResult:
    snapshot_dir: Path
    manifest: dict
    previous: str | None
    pruned: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- readers


def current_catalog(out_dir: Path | str = "published") -> Path:
    """The catalog file ``current`` points to now, with the symlink resolved."""
    link = Path(out_dir) / CURRENT_LINK
    if not link.is_symlink() and not link.exists():
        raise PublishError(f"nothing published yet: {link} does not exist (run `csw publish`)")
    return link.resolve(strict=True) / CATALOG_NAME


def connect_current(out_dir: Path | str = "published") -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot (query ``fct_mrr``, ``marts.fct_mrr``...).

    The connection keeps reading the snapshot it opened, and holds a lock that stops
    ``csw publish`` from pruning it; reconnect to see a newer publish.
    """
    return duckdb.connect(str(current_catalog(out_dir)), read_only=True)


def checksum_sql(relation: str, alias: str = "csw_row") -> str:
    """One row (rows, checksum) for a relation; the manifest's checksum method."""
    return (
        f"select count(*)::bigint as row_count, "
        f"coalesce(sum(hash({alias})), 0)::hugeint::varchar as checksum "
        f"from {relation} as {alias}"
    )


# ---------------------------------------------------------------- publish


def publish(
    db_path: Path | str = "warehouse.duckdb",
    out_dir: Path | str = "published",
    keep: int = DEFAULT_KEEP,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
) -> PublishResult:
    """Export the marts of ``db_path`` to a new snapshot and make it ``current``.

    Raises :class:`PublishError` with a readable message on any failure, after
    removing the half-written snapshot; ``current`` is only replaced at the very
    end, by one ``rename``.
    """
    if keep < 2:
        raise PublishError(f"--keep must be at least 2 (current and previous), got {keep}")
    db_path = Path(db_path)
    out_dir = Path(out_dir).absolute()
    if not db_path.is_file():
        raise PublishError(
            f"warehouse database not found: {db_path} (build it first: csw build --raw-dir DIR --db {db_path})"
        )
    link = out_dir / CURRENT_LINK
    if link.exists() and not link.is_symlink():
        raise PublishError(f"{link} exists and is not a symlink; move it away")
    snapshots = out_dir / SNAPSHOTS_DIR
    snapshots.mkdir(parents=True, exist_ok=True)
    with _publish_lock(out_dir):
        previous = _current_name(out_dir)
        published_at = datetime.now(timezone.utc)
        name = f"{published_at:%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}"
        tmp_dir = snapshots / f"{TMP_PREFIX}{name}"
        final_dir = snapshots / name
        try:
            tmp_dir.mkdir()
            source = _export_marts(db_path, tmp_dir)
            manifest = _build_catalog(tmp_dir, final_dir, source, published_at)
            manifest.update(
                format=MANIFEST_FORMAT,
                snapshot=name,
                published_at=published_at.isoformat(),
                previous_snapshot=previous,
                source_db=str(db_path.resolve()),
                built_at=source["built_at"],
                as_of_date=source["as_of_date"],
                duckdb_version=duckdb.__version__,
                catalog_storage_version=CATALOG_STORAGE_VERSION,
                checksum_method=CHECKSUM_METHOD,
            )
            manifest = {key: manifest[key] for key in _MANIFEST_ORDER}
            _write_file(tmp_dir / MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=False) + "\n")
            for path in tmp_dir.iterdir():
                _fsync_path(path)
            _fsync_path(tmp_dir)
            os.rename(tmp_dir, final_dir)
            _fsync_path(snapshots)
            _verify(final_dir, manifest)
            _switch_current(out_dir, name)
        except BaseException as exc:
            if _current_name(out_dir) == name:  # interrupted right after the switch: it is live
                raise
            if final_dir.is_symlink():
                final_dir.unlink()
            for leftover in (tmp_dir, final_dir):
                shutil.rmtree(leftover, ignore_errors=True)
            if isinstance(exc, PublishError):
                raise
            if isinstance(exc, (duckdb.Error, OSError)):
                raise PublishError(f"publish failed, current left unchanged: {exc}") from exc
            raise
        result = PublishResult(snapshot_dir=final_dir, manifest=manifest, previous=previous)
        try:
            _fsync_path(out_dir)  # make the new `current` durable
        except OSError as exc:
            result.warnings.append(f"fsync of {out_dir} failed: {exc}")
        try:
            result.pruned = prune(out_dir, keep=keep, grace_seconds=grace_seconds, _locked=True)
        except OSError as exc:  # the new snapshot is live; pruning is housekeeping
            result.warnings.append(f"pruning old snapshots failed: {exc}")
    return result


_MANIFEST_ORDER = (
    "format", "snapshot", "published_at", "previous_snapshot", "source_db", "built_at",
    "as_of_date", "duckdb_version", "catalog_storage_version", "checksum_method", "marts",
)


def _export_marts(db_path: Path, tmp_dir: Path) -> dict:
    """COPY every table (and view) of schema marts to Parquet from one read-only transaction."""
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise PublishError(
                f"cannot open {db_path} read-only: another process holds it for writing "
                f"(is a build running? publish after it finishes). DuckDB said: {text}"
            ) from exc
        raise PublishError(f"cannot open {db_path} as a DuckDB database: {text}") from exc
    try:
        con.execute("begin transaction")
        schemas = {row[0] for row in con.execute("select schema_name from information_schema.schemata").fetchall()}
        if MARTS_SCHEMA not in schemas:
            raise PublishError(
                f"schema '{MARTS_SCHEMA}' not found in {db_path} (schemas: {', '.join(sorted(schemas))}); "
                "was `csw build` run into this file?"
            )
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type in ('BASE TABLE', 'VIEW') order by table_name",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        if not marts:
            raise PublishError(f"schema '{MARTS_SCHEMA}' in {db_path} has no tables; was the build complete?")
        rows: dict[str, int] = {}
        for mart in marts:
            relation = f"{MARTS_SCHEMA}.{_ident(mart)}"
            rows[mart] = con.execute(f"select count(*) from {relation}").fetchone()[0]
            target = tmp_dir / f"{mart}.parquet"
            con.execute(
                f"copy (select * from {relation}) to {_literal(str(target))} "
                "(format parquet, compression zstd)"
            )
        comments = _read_comments(con, marts)
        as_of_date = None
        try:
            value = con.execute("select max(as_of_date) from intermediate.int_as_of").fetchone()[0]
            as_of_date = value.isoformat() if value is not None else None
        except duckdb.Error:  # a build without int_as_of: the manifest says null
            pass
        con.execute("commit")
    finally:
        con.close()
    built_at = datetime.fromtimestamp(db_path.stat().st_mtime, timezone.utc).isoformat()
    return {"rows": rows, "as_of_date": as_of_date, "built_at": built_at, "comments": comments}


def _read_comments(con: duckdb.DuckDBPyConnection, marts: list[str]) -> dict[str, dict]:
    """Per mart: its comment and its columns' comments (dbt persist_docs), '' when none."""
    relation_comments = dict(
        con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = ? "
            "union all select view_name, comment from duckdb_views() where schema_name = ?",
            [MARTS_SCHEMA, MARTS_SCHEMA],
        ).fetchall()
    )
    comments = {mart: {"relation": relation_comments.get(mart) or "", "columns": {}} for mart in marts}
    for table, column, comment in con.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = ? and comment is not null and comment <> '' order by table_name, column_index",
        [MARTS_SCHEMA],
    ).fetchall():
        if table in comments:
            comments[table]["columns"][column] = comment
    return comments


def _build_catalog(tmp_dir: Path, final_dir: Path, source: dict, published_at: datetime) -> dict:
    """catalog.duckdb with one view per mart (main and marts schema) over the final paths.

    Written in storage format ``CATALOG_STORAGE_VERSION`` (attached with STORAGE_VERSION),
    with the warehouse's comments on every view and column and a typed csw_snapshot table.
    """
    marts: dict[str, dict] = {}
    catalog = tmp_dir / CATALOG_NAME
    # DuckDB binds a view when it is created, so the final paths must resolve now:
    # a short-lived symlink final_dir -> tmp_dir (only publish, under its lock, sees it).
    os.symlink(tmp_dir.name, final_dir)
    con = duckdb.connect()
    try:
        con.execute(
            f"attach {_literal(str(catalog))} as csw_catalog (storage_version {_literal(CATALOG_STORAGE_VERSION)})"
        )
        con.execute("use csw_catalog")
        con.execute(f"create schema {MARTS_SCHEMA}")
        for mart, source_rows in source["rows"].items():
            file_name = f"{mart}.parquet"
            written = _literal(str(tmp_dir / file_name))
            row_count, checksum = con.execute(checksum_sql(f"read_parquet({written})")).fetchone()
            if row_count != source_rows:
                raise PublishError(f"{mart}: wrote {row_count} rows to Parquet, the warehouse has {source_rows}")
            final_file = _literal(str(final_dir / file_name))
            con.execute(f"create view main.{_ident(mart)} as select * from read_parquet({final_file})")
            con.execute(f"create view {MARTS_SCHEMA}.{_ident(mart)} as select * from main.{_ident(mart)}")
            docs = source.get("comments", {}).get(mart, {})
            for schema in ("main", MARTS_SCHEMA):
                view = f"{schema}.{_ident(mart)}"
                if docs.get("relation"):
                    con.execute(f"comment on view {view} is {_literal(docs['relation'])}")
                for column, comment in docs.get("columns", {}).items():
                    con.execute(f"comment on column {view}.{_ident(column)} is {_literal(comment)}")
            marts[mart] = {
                "rows": row_count,
                "checksum": checksum,
                "file": file_name,
                "bytes": (tmp_dir / file_name).stat().st_size,
                "sha256": _sha256(tmp_dir / file_name),
            }
        columns = ", ".join(f"{name} {kind}" for name, (kind, _) in SNAPSHOT_COLUMNS.items())
        con.execute(f"create table csw_snapshot ({columns})")
        con.execute(
            "insert into csw_snapshot values (?, ?::date, ?::timestamp, ?::timestamp, ?, ?)",
            [final_dir.name, source["as_of_date"], _utc_naive(source["built_at"]),
             _utc_naive(published_at.isoformat()), duckdb.__version__, CATALOG_STORAGE_VERSION],
        )
        con.execute(f"comment on table csw_snapshot is {_literal(SNAPSHOT_TABLE_COMMENT)}")
        for name, (_, comment) in SNAPSHOT_COLUMNS.items():
            con.execute(f"comment on column csw_snapshot.{name} is {_literal(comment)}")
        con.execute("checkpoint")
        con.execute("use memory")
        con.execute("detach csw_catalog")
    finally:
        con.close()
        final_dir.unlink()
    wal = catalog.with_name(catalog.name + ".wal")
    if wal.exists():
        raise PublishError(f"catalog left a write-ahead log behind: {wal}")
    return {"marts": marts}


def _verify(final_dir: Path, manifest: dict) -> None:
    """Open the renamed catalog as a reader would and check every view against the manifest."""
    con = duckdb.connect(str(final_dir / CATALOG_NAME), read_only=True)
    try:
        for mart, expected in manifest["marts"].items():
            got = con.execute(checksum_sql(_ident(mart))).fetchone()
            if (got[0], got[1]) != (expected["rows"], expected["checksum"]):
                raise PublishError(f"{mart}: catalog view reads {got}, manifest says {expected}")
    finally:
        con.close()


def _switch_current(out_dir: Path, name: str) -> None:
    """Point ``current`` at the snapshot with one atomic rename of a fresh symlink."""
    link = out_dir / CURRENT_LINK
    tmp_link = out_dir / f".{CURRENT_LINK}{TMP_PREFIX}{uuid.uuid4().hex[:8]}"
    os.symlink(f"{SNAPSHOTS_DIR}/{name}", tmp_link)  # relative: survives moving published/
    try:
        os.replace(tmp_link, link)  # the commit point: nothing after it may undo the snapshot
    except BaseException:
        tmp_link.unlink(missing_ok=True)
        raise


def _current_name(out_dir: Path) -> str | None:
    link = out_dir / CURRENT_LINK
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


# ---------------------------------------------------------------- pruning


def list_snapshots(out_dir: Path | str) -> list[Path]:
    """Complete snapshot directories, oldest first (names start with the UTC publish time)."""
    snapshots = Path(out_dir) / SNAPSHOTS_DIR
    if not snapshots.is_dir():
        return []
    return sorted(p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith("."))


def prune(
    out_dir: Path | str,
    keep: int = DEFAULT_KEEP,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    _locked: bool = False,
) -> list[str]:
    """Delete old snapshots; return the names deleted.

    A snapshot is deleted only when all of these hold:
    it is not ``current``, nor the one ``current`` replaced (its manifest's
    ``previous_snapshot``); it is not among the ``keep`` newest; it stopped being
    current (its successor was published) more than ``grace_seconds`` ago; and no
    process holds its catalog open (DuckDB keeps a lock on an open database file,
    so an exclusive lock attempt tells).
    """
    out_dir = Path(out_dir).absolute()
    if keep < 2:
        raise PublishError(f"keep must be at least 2 (current and previous), got {keep}")
    if not _locked:
        with _publish_lock(out_dir):
            return prune(out_dir, keep=keep, grace_seconds=grace_seconds, _locked=True)
    _remove_stale_temporaries(out_dir)
    snapshots = list_snapshots(out_dir)
    current = _current_name(out_dir)
    protected = {p.name for p in snapshots[-keep:]}
    if current is not None:
        protected.add(current)
        manifest = _read_manifest(out_dir / SNAPSHOTS_DIR / current)
        if manifest and manifest.get("previous_snapshot"):
            protected.add(manifest["previous_snapshot"])
    now = time.time()
    pruned: list[str] = []
    for index, snapshot in enumerate(snapshots):
        if snapshot.name in protected:
            continue
        successor = snapshots[index + 1] if index + 1 < len(snapshots) else None
        superseded_at = successor.stat().st_mtime if successor is not None else now
        if now - superseded_at < grace_seconds:
            continue
        if _delete_snapshot_unless_open(snapshot):
            pruned.append(snapshot.name)
    return pruned


def _delete_snapshot_unless_open(snapshot: Path) -> bool:
    """Rename the snapshot out of sight and delete it, unless a reader holds its catalog."""
    catalog = snapshot / CATALOG_NAME
    fd = None
    if catalog.exists():
        fd = os.open(catalog, os.O_RDWR)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False  # open in some reader: try again on the next publish
            raise
    try:
        trash = snapshot.with_name(f"{TRASH_PREFIX}{snapshot.name}")
        os.rename(snapshot, trash)
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock; nobody can reach the renamed directory via current
    shutil.rmtree(trash, ignore_errors=True)
    return True


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Leftovers of a crashed publish (we hold the publish lock, so none is in progress)."""
    snapshots = out_dir / SNAPSHOTS_DIR
    if snapshots.is_dir():
        for path in snapshots.iterdir():
            if path.name.startswith((TMP_PREFIX, TRASH_PREFIX)):
                shutil.rmtree(path, ignore_errors=True)
    for path in out_dir.glob(f".{CURRENT_LINK}{TMP_PREFIX}*"):
        path.unlink(missing_ok=True)


def _read_manifest(snapshot: Path) -> dict | None:
    try:
        return json.loads((snapshot / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- helpers


@contextmanager
def _publish_lock(out_dir: Path) -> Iterator[None]:
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another `csw publish` is running into {out_dir}") from None
        yield
    finally:
        os.close(fd)


def _utc_naive(iso: str) -> str:
    """An ISO timestamp with offset as naive UTC text (csw_snapshot stores TIMESTAMP in UTC)."""
    moment = datetime.fromisoformat(iso).astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(sep=" ")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- command line


def _keep(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 (current and previous): {text!r}")
    return value


def add_publish_parser(sub) -> None:
    """Register ``csw publish`` on the CLI's subparsers."""
    pub = sub.add_parser("publish", help="snapshot the marts to Parquet + a read-only catalog for BI")
    pub.add_argument("--db", type=Path, default=Path("warehouse.duckdb"), help="built DuckDB file")
    pub.add_argument("--out", type=Path, default=Path("published"), help="publish directory")
    pub.add_argument("--keep", type=_keep, default=DEFAULT_KEEP, help="snapshots to keep (>= 2)")
    pub.add_argument(
        "--grace-seconds",
        type=float,
        default=DEFAULT_GRACE_SECONDS,
        help="never prune a snapshot superseded less than this long ago",
    )
    pub.set_defaults(func=cmd_publish)


def cmd_publish(args: argparse.Namespace, console) -> int:
    started = time.perf_counter()
    if Path(args.db).is_file():  # a missing file gets publish()'s own message
        from csw.buildstate import publish_refusal

        try:
            refusal = publish_refusal(Path(args.db))
        except Exception:  # e.g. a build holds the file: publish() below says so clearly
            refusal = None
        if refusal is not None:  # only a warehouse whose last csw build passed is published
            console.print(f"[red]csw publish refused:[/] {refusal}", highlight=False)
            return 1
    try:
        result = publish(args.db, args.out, keep=args.keep, grace_seconds=args.grace_seconds)
    except PublishError as exc:
        console.print(f"[red]csw publish failed:[/] {exc}", highlight=False)
        return 1
    marts = result.manifest["marts"]
    console.print(
        f"[green]published[/] {len(marts)} marts ({sum(m['rows'] for m in marts.values())} rows) "
        f"to {result.snapshot_dir} in {time.perf_counter() - started:.1f}s",
        highlight=False,
    )
    console.print(f"current -> {result.snapshot_dir.name} (previous: {result.previous or 'none'})", highlight=False)
    if result.pruned:
        console.print(f"pruned {', '.join(result.pruned)}", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]{warning}[/]", highlight=False)
    console.print(
        f"BI: duckdb.connect('{Path(args.out) / CURRENT_LINK / CATALOG_NAME}', read_only=True)",
        highlight=False,
    )
    return 0
