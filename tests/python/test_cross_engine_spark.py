"""Spark gives the same marts as DuckDB, to the cent (issue #8, Spark half).

Runs ``csw build --target spark`` in this process (dbt-spark ``session`` method: a
local Spark with its metastore, warehouse and raw export in a temporary directory) on
the shared cross-engine dataset, reads the compared marts through the SparkSession
dbt-spark created, and compares them with the DuckDB build of the same data.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from _cross_engine import compare_marts, read_duckdb_marts, read_marts
from csw.cli import main as csw_main

pytestmark = pytest.mark.cross_engine

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
pytest.importorskip("dbt.adapters.spark", reason="the spark extra is not installed")


def spark_query(sql: str) -> pd.DataFrame:
    """Rows of the active SparkSession as plain Python objects (Decimal, date, int, bool, str)."""
    from pyspark.sql import SparkSession

    frame = SparkSession.builder.getOrCreate().sql(sql)
    rows = [tuple(row) for row in frame.collect()]
    return pd.DataFrame(rows, columns=frame.columns, dtype=object)


@pytest.fixture(scope="module")
def spark_build(cross_engine_raw: Path, tmp_path_factory) -> Iterator[float]:
    """`csw build --target spark` on the shared dataset; yields its duration in seconds."""
    spark_dir = tmp_path_factory.mktemp("cross_engine_spark")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CSW_SPARK_DIR", str(spark_dir))
        started = time.perf_counter()
        rc = csw_main(["build", "--target", "spark", "--raw-dir", str(cross_engine_raw),
                       "--no-progress"])
        seconds = time.perf_counter() - started
        assert rc == 0, "csw build --target spark failed (see the dbt output above)"
        print(f"\ncsw build --target spark (1k accounts x 24 months): {seconds:.0f} s")
        try:
            yield seconds
        finally:
            # Later tests (DuckDB) must not share the process with a running JVM session.
            from pyspark import SparkContext
            from pyspark.sql import SparkSession

            if SparkContext._active_spark_context is not None:
                SparkSession.builder.getOrCreate().stop()


def test_spark_marts_match_duckdb(cross_engine_duckdb, spark_build) -> None:
    spark_frames = read_marts(spark_query)
    duckdb_frames = read_duckdb_marts(cross_engine_duckdb)
    assert compare_marts(duckdb_frames, spark_frames, "spark") == []


def test_spark_row_values_are_plain_python(spark_build) -> None:
    """No float anywhere: money and ratios come back as Decimal."""
    frame = spark_query("select mrr_usd, month from marts.fct_mrr limit 1")
    mrr, month = frame.iloc[0]
    assert type(mrr).__name__ == "Decimal"
    assert type(month).__name__ == "date"
