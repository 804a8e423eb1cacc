"""The published catalog is for every BI tool: older DuckDB readers, typed metadata, comments.

`csw publish` writes catalog.duckdb in storage format v1.1.0 (csw.publish.CATALOG_STORAGE_VERSION)
and copies the warehouse's COMMENT ON TABLE/COLUMN (dbt persist_docs) onto its views. The
old-reader test opens a published catalog with DuckDB 1.1.3 (the oldest version BI drivers
bundle that we support) from a throwaway virtualenv `.venv-duckdb-1.1` at the project root
(created on first use from PyPI, reused afterwards; CI caches it).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from test_publish import make_warehouse

from csw.bi.venv import ensure_venv
from csw.publish import CATALOG_NAME, CATALOG_STORAGE_VERSION, SNAPSHOT_COLUMNS, publish
from csw.runner import PROJECT_DIR

OLD_DUCKDB = os.environ.get("CSW_OLD_DUCKDB", "1.1.3")
OLD_VENV = PROJECT_DIR / f".venv-duckdb-{'.'.join(OLD_DUCKDB.split('.')[:2])}"


def commented_warehouse(path: Path) -> Path:
    make_warehouse(path, 1)
    with duckdb.connect(str(path)) as con:
        con.execute("comment on table marts.fct_mrr is 'MRR per customer, product and month (it''s USD).'")
        con.execute("comment on column marts.fct_mrr.mrr_usd is 'MRR in USD at the month''s FX rate.'")
        con.execute("comment on column marts.dim_customers.segment is 'Segment code; labels in dim_labels.'")
    return path


def test_catalog_has_typed_snapshot_metadata_and_the_warehouse_comments(tmp_path: Path):
    result = publish(commented_warehouse(tmp_path / "w.duckdb"), tmp_path / "published")
    assert result.manifest["catalog_storage_version"] == CATALOG_STORAGE_VERSION
    with duckdb.connect(str(result.snapshot_dir / CATALOG_NAME), read_only=True) as con:
        types = dict(con.execute("select column_name, data_type from duckdb_columns() "
                                 "where table_name = 'csw_snapshot'").fetchall())
        assert types == {name: kind.upper() for name, (kind, _) in SNAPSHOT_COLUMNS.items()}
        row = con.execute("select as_of_date::varchar, storage_version, published_at is not null, "
                          "built_at is not null from csw_snapshot").fetchone()
        assert row == ("2026-06-30", CATALOG_STORAGE_VERSION, True, True)
        for schema in ("main", "marts"):
            assert con.execute(
                "select comment from duckdb_views() where schema_name = ? and view_name = 'fct_mrr'", [schema]
            ).fetchone()[0] == "MRR per customer, product and month (it's USD)."
            columns = dict(con.execute(
                "select table_name || '.' || column_name, comment from duckdb_columns() "
                "where schema_name = ? and comment is not null", [schema]).fetchall())
            assert columns == {
                "fct_mrr.mrr_usd": "MRR in USD at the month's FX rate.",
                "dim_customers.segment": "Segment code; labels in dim_labels.",
            } | ({f"csw_snapshot.{n}": c for n, (_, c) in SNAPSHOT_COLUMNS.items()} if schema == "main" else {})


OLD_READER = r"""
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {
    "version": duckdb.__version__,
    "rows": con.execute("select count(*) from fct_mrr").fetchone()[0],
    "marts_rows": con.execute("select count(*) from marts.dim_customers").fetchone()[0],
    "sum": str(con.execute("select sum(mrr_usd) from fct_mrr").fetchone()[0]),
    "snapshot_types": [list(r) for r in con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = 'csw_snapshot' "
        "order by column_index").fetchall()],
    "as_of_date": str(con.execute("select as_of_date from csw_snapshot").fetchone()[0]),
    "comment": con.execute("select comment from duckdb_columns() where schema_name = 'main' "
                           "and table_name = 'fct_mrr' and column_name = 'mrr_usd'").fetchone()[0],
}
print(json.dumps(out))
"""


def test_duckdb_1_1_opens_the_published_catalog(tmp_path: Path):
    try:
        python = ensure_venv(OLD_VENV, [f"duckdb=={OLD_DUCKDB}"])
    except RuntimeError as exc:  # no PyPI: say so rather than pass silently
        pytest.fail(f"cannot install duckdb=={OLD_DUCKDB} into {OLD_VENV}: {exc}")
    result = publish(commented_warehouse(tmp_path / "w.duckdb"), tmp_path / "published")
    run = subprocess.run([str(python), "-c", OLD_READER, str(tmp_path / "published" / "current" / CATALOG_NAME)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got["version"] == OLD_DUCKDB
    assert (got["rows"], got["marts_rows"], got["sum"]) == (11, 6, "57.75")
    assert got["snapshot_types"] == [[n, k.upper()] for n, (k, _) in SNAPSHOT_COLUMNS.items()]
    assert got["as_of_date"] == "2026-06-30"
    assert got["comment"] == "MRR in USD at the month's FX rate."
    assert result.manifest["catalog_storage_version"] == CATALOG_STORAGE_VERSION
