"""Implausible dates and timestamps get the same reason on every engine (issue 20).

The parsing macros (macros/parsing/csw_parse.sql) are evaluated with `dbt show --inline` on DuckDB,
PostgreSQL (a throwaway cluster, csw.engines.pg_cluster) and Spark (a local session), on one list of
raw texts: years 0000, 0001, 1899, 2201 and UTC offsets beyond +-14:00 (or with minutes above 59)
must be `out_of_range:<column>` and parse to NULL everywhere (DuckDB read `0000-01-01` as 1 BC,
PostgreSQL refused it), the boundaries (1900, 2200, +-14:00) must parse to the same UTC instant on
every engine, and garbage stays `unparseable:<column>`. The expected reason and instant come from
the rule, computed here in Python (`_expected`), not from any engine. The fault matrix
(test_fault_matrix.py::test_fault[implausible_datetimes_in_every_column]) proves on DuckDB that
every date and timestamp column of every base model applies the macros.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Iterator

import pytest

from csw.runner import PROJECT_DIR, temporary_env

DATES = ["0000-01-01", "0001-01-01", "1899-12-31", "1900-01-01", "2026-02-28", "2200-12-31", "2201-01-01",
         "2026-02-30", "yesterday"]
TIMESTAMPS = [
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "1900-01-01T00:00:00Z",
    "2200-12-31T23:59:59Z", "2201-01-01T00:00:00Z",
    "2026-01-10T08:00:00+14:00", "2026-01-10T08:00:00-14:00", "2026-01-10T08:00:00+05:30",
    "2026-01-10T08:00:00", "2026-01-10T08:00:00+14:01", "2026-01-10T08:00:00-14:01",
    "2026-01-10T08:00:00+25:00", "2026-01-10T08:00:00+99:99", "2026-01-10T08:00:00+1401",
    "2026-01-10T08:00:00+09:60", "soon",
]
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def _expected(text: str, kind: str) -> tuple[str | None, dt.datetime | dt.date | None]:
    """(reason, parsed value) by the rule: years 1900-2200, offsets within +-14:00 with minutes < 60."""
    column = "v"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text) and not 1900 <= int(text[:4]) <= 2200:
        return f"out_of_range:{column}", None
    offset = _OFFSET.search(text[19:]) if kind == "timestamp" else None
    if offset and (int(offset[3]) > 59 or int(offset[2]) * 60 + int(offset[3]) > 14 * 60):
        return f"out_of_range:{column}", None
    try:
        if kind == "date":
            return None, dt.date.fromisoformat(text)
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return f"unparseable:{column}", None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return None, value


def _inline_sql(texts: list[str], kind: str) -> str:
    rows = "\n    union all\n".join(f"    select '{t}' as v, {i} as n" for i, t in enumerate(texts))
    return (
        f"select n, {{{{ csw_unparseable_reason([('v', '{kind}')]) }}}} as reason,\n"
        f"    {{{{ csw_parse_{kind}('v') }}}} as parsed\n"
        f"from (\n{rows}\n) as raw_texts"
    )


def _show(kind: str, texts: list[str], target: str, target_path: Path) -> dict[str, tuple]:
    """text -> (reason, parsed) as the engine of `target` computes them."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke([
        "show", "--inline", _inline_sql(texts, kind), "--limit", "-1", "--target", target,
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(target_path), "--log-path", str(target_path / "logs"), "--quiet",
    ])
    assert result.success, result.exception
    table = result.result.results[0].agate_table
    got = {}
    for row in table.rows:
        parsed = row["parsed"]
        if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        got[texts[int(row["n"])]] = (row["reason"], parsed)
    return got


def _check(kind: str, texts: list[str], target: str, target_path: Path) -> None:
    got = _show(kind, texts, target, target_path)
    expected = {t: _expected(t, kind) for t in texts}
    assert got == expected
    assert {r for r, _ in expected.values()} >= {"out_of_range:v", None, "unparseable:v"}


@pytest.fixture(scope="module")
def target_path(tmp_path_factory) -> Path:
    """One dbt target path per module, so the second `dbt show` reuses the parse."""
    return tmp_path_factory.mktemp("plausibility_target")


@pytest.fixture(scope="module")
def duckdb_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    yield {"CSW_DB_PATH": str(tmp_path_factory.mktemp("plausibility") / "w.duckdb")}


@pytest.mark.parametrize("kind, texts", [("date", DATES), ("timestamp", TIMESTAMPS)])
def test_duckdb(kind, texts, duckdb_env, target_path):
    with temporary_env(duckdb_env):
        _check(kind, texts, "dev", target_path / "dev")


@pytest.fixture(scope="module")
def postgres_env() -> Iterator[dict[str, str]]:
    pytest.importorskip("psycopg2", reason="needs the postgres extra (psycopg2-binary)")
    from csw.engines.pg_cluster import throwaway_cluster

    with throwaway_cluster() as cluster:
        yield cluster.env


@pytest.mark.cross_engine
@pytest.mark.parametrize("kind, texts", [("date", DATES), ("timestamp", TIMESTAMPS)])
def test_postgres(kind, texts, postgres_env, target_path):
    with temporary_env(postgres_env):
        _check(kind, texts, "postgres", target_path / "postgres")


@pytest.fixture(scope="module")
def spark_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    pytest.importorskip("pyspark", reason="needs the spark extra")
    base = tmp_path_factory.mktemp("plausibility_spark")
    yield {"CSW_SPARK_DIR": str(base), "CSW_SPARK_MASTER": "local[1]",
           "CSW_SPARK_DRIVER_MEMORY": os.environ.get("CSW_SPARK_DRIVER_MEMORY", "1g")}


@pytest.mark.cross_engine
@pytest.mark.parametrize("kind, texts", [("date", DATES), ("timestamp", TIMESTAMPS)])
def test_spark(kind, texts, spark_env, target_path):
    with temporary_env(spark_env):
        _check(kind, texts, "spark", target_path / "spark")
