"""What runs inside a measured step's own process (``csw bench-step``); each writes its result as JSON."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from csw.bench.options import (DEFAULT_DUCKDB_THREADS, DEFAULT_MEMORY_LIMIT, NAIVE_ANALYSIS,
                               OUR_MRR_MODELS, BenchError)
from csw.bench.dataset import raw_files
from csw.sql import literal

if TYPE_CHECKING:
    import duckdb


def _duckdb_settings(con: duckdb.DuckDBPyConnection) -> None:
    """The same DuckDB limits as profiles.yml (env vars CSW_MEMORY_LIMIT, CSW_DUCKDB_THREADS)."""
    con.execute(f"set memory_limit = {literal(os.environ.get('CSW_MEMORY_LIMIT', DEFAULT_MEMORY_LIMIT))}")
    con.execute(f"set threads = {int(os.environ.get('CSW_DUCKDB_THREADS', DEFAULT_DUCKDB_THREADS))}")
    con.execute("set preserve_insertion_order = false")
    con.execute("set TimeZone = 'UTC'")


def _reader(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"read_parquet({literal(path)})"
    return (f"read_csv({literal(path)}, header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"')")


def floor_step(raw_dir: Path, db_path: Path, out_dir: Path, result_path: Path) -> None:
    """Read every raw file once into a fresh database and write the same rows out as Parquet."""
    import duckdb

    out_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, int] = {}
    load_s = write_s = 0.0
    started = time.perf_counter()
    con = duckdb.connect(str(db_path))
    _duckdb_settings(con)
    for path in raw_files(raw_dir):
        name = "__".join(path.relative_to(raw_dir).with_suffix("").parts)
        t0 = time.perf_counter()
        con.execute(f'create table "{name}" as select * from {_reader(path)}')
        t1 = time.perf_counter()
        target = literal(out_dir / f"{name}.parquet")
        con.execute(f'copy "{name}" to {target} (format parquet)')
        t2 = time.perf_counter()
        load_s += t1 - t0
        write_s += t2 - t1
        tables[name] = int(con.execute(f'select count(*) from "{name}"').fetchone()[0])
    con.execute("checkpoint")
    con.close()
    result = {"seconds": time.perf_counter() - started, "load_s": load_s, "write_s": write_s,
              "rows": sum(tables.values()), "tables": tables}
    result_path.write_text(json.dumps(result, indent=2))


def naive_step(db_path: Path, compiled_dir: Path, result_path: Path) -> None:
    """Time the naive spine and our models' compiled SQL on the built warehouse; compare MRR per month."""
    import duckdb

    naive_sql = (compiled_dir / "analyses" / f"{NAIVE_ANALYSIS}.sql").read_text()
    ours_sql = {name: _compiled_model(compiled_dir, name).read_text() for name in OUR_MRR_MODELS}
    con = duckdb.connect(str(db_path), read_only=True)  # temp tables only: the warehouse is untouched
    _duckdb_settings(con)
    ours: dict[str, float] = {}
    for name, sql in ours_sql.items():
        t0 = time.perf_counter()
        con.execute(f"create temp table bench_ours__{name} as {sql}")
        ours[name] = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute(f"create temp table bench_naive as {naive_sql}")
    naive_s = time.perf_counter() - t0
    rows = con.execute("""
        with naive as (
            select month, sum(mrr_usd) as mrr_usd from bench_naive where mrr_usd > 0 group by month
        ),
        ours as (select month, sum(mrr_usd) as mrr_usd from marts.fct_mrr group by month)
        select
            count(*),
            count(*) filter (where naive.mrr_usd is distinct from ours.mrr_usd),
            coalesce(max(abs(coalesce(naive.mrr_usd, 0) - coalesce(ours.mrr_usd, 0))), 0),
            coalesce(sum(ours.mrr_usd), 0)
        from naive full outer join ours on naive.month = ours.month
    """).fetchone()
    counts = con.execute(
        "select (select count(*) from bench_naive), (select count(*) from bench_naive where mrr_usd > 0),"
        " (select count(*) from marts.fct_mrr), (select count(*) from bench_ours__fct_mrr)"
    ).fetchone()
    ours_rows = {name: int(con.execute(f"select count(*) from bench_ours__{name}").fetchone()[0])
                 for name in ours_sql}
    con.close()
    result = {
        "ours_models_rows": ours_rows,
        "naive_s": naive_s,
        "ours_s": sum(ours.values()),
        "ours_models_s": ours,
        "months_compared": int(rows[0]),
        "months_differing": int(rows[1]),
        "max_abs_diff_usd": str(rows[2]),
        "total_mrr_usd_all_months": str(rows[3]),
        "totals_equal": int(rows[0]) > 0 and int(rows[1]) == 0,
        "naive_rows": int(counts[0]),
        "naive_rows_with_mrr": int(counts[1]),
        "fct_mrr_rows": int(counts[2]),
        "ours_rerun_fct_mrr_rows": int(counts[3]),
    }
    result_path.write_text(json.dumps(result, indent=2))


def _compiled_model(compiled_dir: Path, name: str) -> Path:
    found = sorted((compiled_dir / "models").rglob(f"{name}.sql"))
    if not found:
        raise BenchError(f"compiled SQL of {name} not found under {compiled_dir}")
    return found[0]


def checksums_step(db_path: Path, result_path: Path) -> None:
    """(rows, md5 of the rows' text in sorted order) of every table in schema marts."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    _duckdb_settings(con)
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()]
    sums: dict[str, list[Any]] = {}
    for table in tables:
        relation = '"marts"."' + table.replace('"', '""') + '"'
        count, digest = con.execute(
            "select count(*), md5(coalesce(string_agg(cast(t as varchar), '\n' order by cast(t as varchar)), ''))"
            f" from {relation} as t"
        ).fetchone()
        sums[table] = [int(count), digest]
    con.close()
    result_path.write_text(json.dumps(sums, indent=2))


def _append_day() -> Callable[..., Any] | None:
    try:
        from csw.generator.increment import append_day  # type: ignore[import-not-found]
    except ImportError:
        return None
    return append_day


def append_step(raw_dir: Path, out_dir: Path, result_path: Path) -> None:
    """Append one more day of raw data to a copy of ``raw_dir`` at ``out_dir``; its summary as JSON."""
    append_day = _append_day()
    if append_day is None:
        raise BenchError("append_day not available")
    result_path.write_text(json.dumps(append_day(raw_dir, out_dir=out_dir, seed=0), default=str))
