"""Spark on a two-worker cluster gives the same marts as DuckDB, to the last digit (issues #8, #18).

Starts a throwaway Spark standalone cluster (csw.engines.spark_cluster: a master and two
workers, separate JVMs on 127.0.0.1; stopped at the end of the module even when a test
fails, at interpreter exit, and by PR_SET_PDEATHSIG if pytest itself is killed), points
the `spark` target at it through environment variables only (CSW_SPARK_MASTER,
CSW_SPARK_DRIVER_HOST), runs ``csw build --target spark`` in this process (dbt-spark
``session`` method: this process is the driver, the executors run in the workers' JVMs)
on the shared cross-engine dataset, reads the marts through the SparkSession dbt-spark
created, and compares every mart with the DuckDB build of the same data.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from _cross_engine import (compare_marts, compare_other_marts, other_marts, read_duckdb_marts,
                           read_marts, read_other_marts)
from csw.cli import main as csw_main

pytestmark = pytest.mark.cross_engine

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
pytest.importorskip("dbt.adapters.spark", reason="the spark extra is not installed")

from csw.engines.spark_cluster import Cluster, throwaway_cluster  # noqa: E402

# dbt threads sharing the one SparkSession (profiles.yml, DECISIONS.md "Spark on a cluster").
SPARK_THREADS = "2"


def spark_session():
    from pyspark.sql import SparkSession

    return SparkSession.builder.getOrCreate()


def spark_query(sql: str) -> pd.DataFrame:
    """Rows of the active SparkSession as plain Python objects (Decimal, date, int, bool, str)."""
    frame = spark_session().sql(sql)
    rows = [tuple(row) for row in frame.collect()]
    return pd.DataFrame(rows, columns=frame.columns, dtype=object)


@pytest.fixture(scope="module")
def spark_cluster(tmp_path_factory) -> Iterator[Cluster]:
    """Master + two workers, stopped and removed at the end (also on failure)."""
    with throwaway_cluster(tmp_path_factory.mktemp("spark_cluster"), workers=2) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def spark_build(spark_cluster: Cluster, cross_engine_raw: Path, tmp_path_factory) -> Iterator[float]:
    """`csw build --target spark` on the cluster; yields its duration in seconds."""
    spark_dir = tmp_path_factory.mktemp("cross_engine_spark")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in spark_cluster.env.items():
            patch.setenv(key, value)
        patch.setenv("CSW_SPARK_DIR", str(spark_dir))
        patch.setenv("CSW_SPARK_THREADS", SPARK_THREADS)
        patch.setenv("CSW_SPARK_DRIVER_MEMORY", "1g")  # the driver runs no tasks here
        started = time.perf_counter()
        try:
            rc = csw_main(["build", "--target", "spark", "--raw-dir", str(cross_engine_raw),
                           "--no-progress", "--unit-tests", "always"])  # the Spark unit tests
            seconds = time.perf_counter() - started
            assert rc == 0, "csw build --target spark failed (see the dbt output above)"
            print(f"\ncsw build --target spark on {spark_cluster.master_url} "
                  f"(1k accounts x 24 months): {seconds:.0f} s")
            yield seconds
        finally:
            # Later tests (DuckDB) must not share the process with a running JVM session,
            # and the cluster fixture stops the workers next.
            from pyspark import SparkContext

            if SparkContext._active_spark_context is not None:
                spark_session().stop()


def test_spark_ran_on_the_cluster(spark_cluster, spark_build) -> None:
    """The session's master is the standalone cluster and both workers' executors joined."""
    context = spark_session().sparkContext
    assert context.master == spark_cluster.master_url
    # Block managers: the driver's and one per executor.
    assert context._jsc.sc().getExecutorMemoryStatus().size() >= 3


def test_spark_marts_match_duckdb(cross_engine_duckdb, spark_build) -> None:
    problems = compare_marts(read_duckdb_marts(cross_engine_duckdb), read_marts(spark_query), "spark")
    assert problems == [], "\n".join(problems)


def test_spark_every_other_mart_matches_duckdb(cross_engine_duckdb, spark_build) -> None:
    marts = other_marts(cross_engine_duckdb)
    assert len(marts) >= 10, f"expected the other marts of the project, got {sorted(marts)}"
    problems = compare_other_marts(read_other_marts(cross_engine_duckdb.query, marts),
                                   read_other_marts(spark_query, marts), marts, "spark")
    assert problems == [], "\n".join(problems)


def test_spark_row_values_are_plain_python(spark_build) -> None:
    """No float anywhere: money and ratios come back as Decimal."""
    frame = spark_query("select mrr_usd, month from marts.fct_mrr limit 1")
    mrr, month = frame.iloc[0]
    assert type(mrr).__name__ == "Decimal"
    assert type(month).__name__ == "date"
