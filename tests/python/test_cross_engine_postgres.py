"""PostgreSQL builds the same marts as DuckDB, to the cent (issue #8).

Starts a throwaway PostgreSQL cluster (csw.engines.pg_cluster: installs Debian's
`postgresql` package when missing, needs root then), runs `csw build --target postgres`
on the shared 1k-account dataset and compares the five marts of `_cross_engine` with
the DuckDB build of the same data. Last, the same Postgres warehouse is built again,
incrementally, as of an earlier date, and every mart is compared with a DuckDB build as of
that date: the incremental models' daily path runs on Postgres too. Run with
`pytest -m cross_engine`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest
from _cross_engine import (compare_marts, compare_other_marts, other_marts, read_duckdb_marts,
                           read_marts, read_other_marts)
from _warehouse import Warehouse

from csw.cli import main as csw_main
from csw.engines.pg_cluster import Cluster, throwaway_cluster
from csw.runner import temporary_env

pytestmark = pytest.mark.cross_engine

psycopg2 = pytest.importorskip("psycopg2", reason="needs the postgres extra (psycopg2-binary)")


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[Cluster]:
    """A running throwaway cluster, stopped and removed at the end (also on failure)."""
    with throwaway_cluster() as cluster:
        yield cluster


def _query(cluster: Cluster, sql: str) -> pd.DataFrame:
    """Rows as Python objects (Decimal, date, int, bool, str), like Warehouse.query."""
    con = psycopg2.connect(host=cluster.host, port=cluster.port, user=cluster.user,
                           dbname=cluster.dbname)
    try:
        with con.cursor() as cursor:
            cursor.execute(sql)
            columns = [d[0] for d in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
    finally:
        con.close()


@pytest.fixture(scope="module")
def postgres_marts(pg_cluster, cross_engine_raw) -> dict[str, pd.DataFrame]:
    with temporary_env(pg_cluster.env):
        rc = csw_main(["build", "--target", "postgres", "--raw-dir", str(cross_engine_raw),
                       "--no-progress", "--unit-tests", "always"])  # every unit test, on Postgres
    assert rc == 0, "csw build --target postgres failed (see the dbt output above)"
    return read_marts(lambda sql: _query(pg_cluster, sql))


def test_postgres_marts_match_duckdb(postgres_marts, cross_engine_duckdb):
    problems = compare_marts(read_duckdb_marts(cross_engine_duckdb), postgres_marts, "postgres")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("table", ["crm__accounts", "billing__subscription_charges",
                                   "survey__responses"])
def test_postgres_raw_tables_match_duckdb(table, pg_cluster, postgres_marts, cross_engine_duckdb):
    """The COPY loader keeps every value (NULL vs empty text), file and row number."""
    sql = f"select * from raw.{table} order by _source_row_number"
    pg = _query(pg_cluster, sql)
    duck = cross_engine_duckdb.query(sql)
    assert list(pg.columns) == list(duck.columns)
    assert pg.to_dict("records") == duck.to_dict("records")


def test_every_built_table_is_analyzed_and_jit_is_off(pg_cluster, postgres_marts):
    """Each table and incremental model is analyzed by its post-hook (csw_analyze_after_build), so
    no query of the build is planned on default estimates; the throwaway cluster runs without
    JIT. DECISIONS.md, "PostgreSQL: statistics after each build, JIT off"."""
    tables = _query(pg_cluster, """
        select schemaname || '.' || relname as name, last_analyze
        from pg_stat_user_tables
        where schemaname in ('staging', 'intermediate', 'marts', 'semantic')
    """)
    assert len(tables) > 50
    never = sorted(tables.loc[tables["last_analyze"].isna(), "name"])
    assert never == [], f"built but never analyzed: {never}"
    assert _query(pg_cluster, "show jit").iloc[0, 0] == "off"


def test_postgres_incremental_build_at_an_earlier_as_of_matches_duckdb(
        pg_cluster, postgres_marts, cross_engine_duckdb, tmp_path: Path):
    """`csw build --target postgres --as-of D` over the full build above (the incremental
    models take their incremental path: new keys, the ticket summary's moved as-of time, the
    health fingerprints) gives every mart of a fresh DuckDB build as of D. Runs last: it moves
    the module's warehouse to D."""
    latest = cross_engine_duckdb.query("select as_of_date from intermediate.int_as_of")["as_of_date"][0]
    as_of = (latest - timedelta(days=100)).isoformat()
    duckdb_db = tmp_path / "warehouse.duckdb"
    assert csw_main(["build", "--raw-dir", str(cross_engine_duckdb.raw_dir), "--db", str(duckdb_db),
                     "--as-of", as_of, "--no-progress", "--freshness", "off", "--unit-tests", "skip"]) == 0
    with temporary_env(pg_cluster.env):
        rc = csw_main(["build", "--target", "postgres", "--raw-dir", str(cross_engine_duckdb.raw_dir),
                       "--as-of", as_of, "--no-progress", "--freshness", "off", "--unit-tests", "skip"])
    assert rc == 0, f"csw build --target postgres --as-of {as_of} over the full build failed"
    reference = Warehouse(raw_dir=cross_engine_duckdb.raw_dir, db_path=duckdb_db)
    query = lambda sql: _query(pg_cluster, sql)  # noqa: E731
    problems = compare_marts(read_duckdb_marts(reference), read_marts(query), "postgres")
    marts = other_marts(reference)
    problems += compare_other_marts(read_other_marts(reference.query, marts),
                                    read_other_marts(query, marts), marts, "postgres")
    assert problems == [], "\n".join(problems[:40])
