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

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from csw.publish.layout import (  # noqa: F401  (re-exported: the names readers and tests import)
    CATALOG_NAME,
    CATALOG_STORAGE_VERSION,
    CHECKSUM_METHOD,
    CURRENT_LINK,
    DEFAULT_GRACE_SECONDS,
    DEFAULT_KEEP,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    MARTS_SCHEMA,
    SNAPSHOT_COLUMNS,
    SNAPSHOT_TABLE_COMMENT,
    SNAPSHOTS_DIR,
    TMP_PREFIX,
    PublishError,
)
from csw.publish.snapshots import (  # noqa: F401  (list_snapshots, prune: re-exported)
    current_name,
    fsync_path,
    list_snapshots,
    prune,
    publish_lock,
    switch_current,
    write_file,
)
from csw.sql import literal


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
    with publish_lock(out_dir):
        previous = current_name(out_dir)
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
            write_file(tmp_dir / MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=False) + "\n")
            for path in tmp_dir.iterdir():
                fsync_path(path)
            fsync_path(tmp_dir)
            os.rename(tmp_dir, final_dir)
            fsync_path(snapshots)
            _verify(final_dir, manifest)
            switch_current(out_dir, name)
        except BaseException as exc:
            if current_name(out_dir) == name:  # interrupted right after the switch: it is live
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
            fsync_path(out_dir)  # make the new `current` durable
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
                f"copy (select * from {relation}) to {literal(str(target))} "
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
            f"attach {literal(str(catalog))} as csw_catalog (storage_version {literal(CATALOG_STORAGE_VERSION)})"
        )
        con.execute("use csw_catalog")
        con.execute(f"create schema {MARTS_SCHEMA}")
        for mart, source_rows in source["rows"].items():
            file_name = f"{mart}.parquet"
            written = literal(str(tmp_dir / file_name))
            row_count, checksum = con.execute(checksum_sql(f"read_parquet({written})")).fetchone()
            if row_count != source_rows:
                raise PublishError(f"{mart}: wrote {row_count} rows to Parquet, the warehouse has {source_rows}")
            final_file = literal(str(final_dir / file_name))
            con.execute(f"create view main.{_ident(mart)} as select * from read_parquet({final_file})")
            con.execute(f"create view {MARTS_SCHEMA}.{_ident(mart)} as select * from main.{_ident(mart)}")
            docs = source.get("comments", {}).get(mart, {})
            for schema in ("main", MARTS_SCHEMA):
                view = f"{schema}.{_ident(mart)}"
                if docs.get("relation"):
                    con.execute(f"comment on view {view} is {literal(docs['relation'])}")
                for column, comment in docs.get("columns", {}).items():
                    con.execute(f"comment on column {view}.{_ident(column)} is {literal(comment)}")
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
        con.execute(f"comment on table csw_snapshot is {literal(SNAPSHOT_TABLE_COMMENT)}")
        for name, (_, comment) in SNAPSHOT_COLUMNS.items():
            con.execute(f"comment on column csw_snapshot.{name} is {literal(comment)}")
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


# ---------------------------------------------------------------- helpers


def _utc_naive(iso: str) -> str:
    """An ISO timestamp with offset as naive UTC text (csw_snapshot stores TIMESTAMP in UTC)."""
    moment = datetime.fromisoformat(iso).astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(sep=" ")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
