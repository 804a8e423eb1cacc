"""Where ``csw publish`` puts things (the directory layout readers rely on) and its one error."""

from __future__ import annotations

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
