"""The project's own generic data tests (macros/dq/), run on DuckDB through `dbt show --inline`.

A generic test passes when its query returns no row; each case states the rows it must return.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csw.runner import PROJECT_DIR, temporary_env

ROWS = ("(select 1 as a, cast(null as integer) as b, 3 as c, 'x' as d"
        " union all select cast(null as integer), cast(null as integer), 4, 'x'"
        " union all select 2, 5, 6, 'y') as t")


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    """`dbt show --inline` of one SQL text -> its rows (one parse per module)."""
    from dbt.cli.main import dbtRunner

    target_path: Path = tmp_path_factory.mktemp("generic_tests_target")

    def run(sql: str) -> list[tuple]:
        with temporary_env({"CSW_DB_PATH": str(target_path / "w.duckdb")}):
            result = dbtRunner().invoke([
                "show", "--inline", sql, "--limit", "-1",
                "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
                "--target-path", str(target_path), "--log-path", str(target_path / "logs"), "--quiet",
            ])
        assert result.success, result.exception
        return sorted(tuple(row) for row in result.result.results[0].agate_table.rows)

    return run


def test_not_null_columns_names_each_column_with_nulls(show):
    sql = f"{{{{ test_not_null_columns(model={ROWS!r}, column_names=['a', 'b', 'c', 'd']) }}}}"
    assert show(sql) == [("a", 1), ("b", 2)]


def test_not_null_columns_passes_without_nulls(show):
    sql = f"{{{{ test_not_null_columns(model={ROWS!r}, column_names=['c', 'd']) }}}}"
    assert show(sql) == []


def test_unique_combination_of_columns_returns_each_duplicate_combination(show):
    sql = f"{{{{ test_unique_combination_of_columns(model={ROWS!r}, combination_of_columns=['d']) }}}}"
    assert show(sql) == [("x", 2)]
    sql = f"{{{{ test_unique_combination_of_columns(model={ROWS!r}, combination_of_columns=['c', 'd']) }}}}"
    assert show(sql) == []
