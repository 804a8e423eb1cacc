"""Spark target of ``csw build``: export the raw directory to Parquet for dbt-spark.

dbt-spark (``session`` method) makes this process the Spark driver; the executors run
in it (``local[N]``, the default) or on a cluster (``CSW_SPARK_MASTER``, e.g. the
``spark://`` URL ``csw.engines.spark_cluster`` prints). The raw directory is exported
(``raw_export.export_raw_tables``: same checks and columns as the DuckDB loader) to
``<spark dir>/raw``, which the ``spark__load_raw_sources`` hook registers as the ``raw``
database. The Derby metastore and the warehouse also live under the spark dir
(``CSW_SPARK_DIR``, default ``<project>/spark``; see profiles.yml), always passed to dbt
as an absolute path: executors in other JVMs read the raw files and write the warehouse
tables there, so on a cluster it must be a filesystem every executor mounts at the same
path (or set ``CSW_SPARK_WAREHOUSE_DIR`` to e.g. an HDFS/S3 URI for the tables).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from csw.runner import PROJECT_DIR

INSTALL_HINT = "install the spark extra: pip install -c requirements.lock -e '.[spark]'"


def missing_dependencies() -> str | None:
    """None when pyspark and dbt-spark import, else a message saying what to install."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"--target spark needs pyspark and dbt-spark ({exc.name} is missing): {INSTALL_HINT}"
    return None


def spark_dir() -> Path:
    """Absolute directory of the metastore, warehouse and raw export (CSW_SPARK_DIR)."""
    return Path(os.environ.get("CSW_SPARK_DIR", PROJECT_DIR / "spark")).resolve()


def export_raw(raw_dir: Path, base_dir: Path) -> Path:
    """Export `raw_dir` to `<base_dir>/raw`, replacing the previous export only when complete."""
    from csw.engines.raw_export import export_raw_tables

    base_dir.mkdir(parents=True, exist_ok=True)
    final, staging, old = base_dir / "raw", base_dir / "raw.new", base_dir / "raw.old"
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    export_raw_tables(raw_dir, staging)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def spark_environment(base_dir: Path) -> dict[str, str]:
    """Env vars profiles.yml (spark output) and the loader macro read."""
    return {"CSW_SPARK_DIR": str(base_dir)}


def prepare_spark(raw_dir: Path, console) -> dict[str, str] | None:
    """Check the dependencies and export the raw directory; None (after a message) on failure."""
    from rich.markup import escape

    from csw.engines.raw_export import RawInputError

    problem = missing_dependencies()
    if problem is not None:
        console.print(f"[red]{escape(problem)}[/]")
        return None
    base_dir = spark_dir()
    try:
        export = export_raw(raw_dir, base_dir)
    except RawInputError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        return None
    master = os.environ.get("CSW_SPARK_MASTER", f"local[{os.environ.get('CSW_SPARK_CORES', '2')}]")
    console.print(f"raw export for Spark: {export} (master {master})", highlight=False)
    return spark_environment(base_dir)
