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

    def run(sql: str, dbt_vars: str | None = None) -> list[tuple]:
        with temporary_env({"CSW_DB_PATH": str(target_path / "w.duckdb")}):
            result = dbtRunner().invoke([
                "show", "--inline", sql, "--limit", "-1", *(["--vars", dbt_vars] if dbt_vars else []),
                "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
                "--target-path", str(target_path), "--log-path", str(target_path / "logs"), "--quiet",
            ])
        assert result.success, result.exception
        return sorted(tuple(row) for row in result.result.results[0].agate_table.rows)

    run.db_path = target_path / "w.duckdb"
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


# keys_written_in: on a daily `csw build` (var csw_test_rows_of_this_run) only the keys of the rows
# this run wrote are checked, and only when the build before it passed (main.csw_build_record)
THIS_RUN_VARS = '{"csw_test_rows_of_this_run": true}'


def _keys_written(keys: list[str]) -> str:
    """A test call whose keys_written_in relation holds `keys`, stamped with this invocation."""
    rows = " union all ".join(f"select '{k}' as d, '\" ~ invocation_id ~ \"' as _csw_invocation_id"
                              for k in keys)
    return (f"{{% set written = \"({rows}) as k\" %}}"
            f"{{{{ test_unique_combination_of_columns(model={ROWS!r}, combination_of_columns=['d'], "
            "keys_written_in=written) }}")


def _build_record(show, *statuses: str) -> None:
    import duckdb

    with duckdb.connect(str(show.db_path)) as con:
        con.execute("create or replace table main.csw_build_record (build_id integer, status varchar)")
        for build_id, status in enumerate(statuses, start=1):
            con.execute("insert into main.csw_build_record values (?, ?)", [build_id, status])


def test_unique_combination_checks_every_key_in_a_plain_dbt_run(show):
    # first of the keys_written_in cases: the others set vars, and a change of vars re-parses
    _build_record(show, "passed", "running")
    assert show(_keys_written(["y"])) == [("x", 2)]


def test_unique_combination_checks_only_the_keys_written_in_this_run_after_a_passed_build(show):
    _build_record(show, "passed", "running")
    assert show(_keys_written(["y"]), THIS_RUN_VARS) == []  # the old duplicate x is not looked at
    assert show(_keys_written(["x"]), THIS_RUN_VARS) == [("x", 2)]


def test_unique_combination_checks_every_key_after_a_build_that_did_not_pass(show):
    for previous in ("failed", "running"):  # failed, or killed while running
        _build_record(show, previous, "running")
        assert show(_keys_written(["y"]), THIS_RUN_VARS) == [("x", 2)]
    _build_record(show, "running")  # the first build of the warehouse
    assert show(_keys_written(["y"]), THIS_RUN_VARS) == [("x", 2)]


PAIRS = ("(select 'x' as d, '1' as e union all select 'x', '1' union all select 'x', '2'"
         " union all select 'y', '1') as t")


@pytest.mark.parametrize("narrow_by", [None, "d"])
def test_unique_combination_narrowed_checks_the_same_keys(show, narrow_by):
    # narrow_by only orders the work: the keys checked are still the whole (d, e) pairs written
    def call(written: list[tuple[str, str]]) -> str:
        rows = " union all ".join(
            f"select '{d}' as d, '{e}' as e, '\" ~ invocation_id ~ \"' as _csw_invocation_id"
            for d, e in written)
        narrow = f", narrow_by='{narrow_by}'" if narrow_by else ""
        return (f"{{% set written = \"({rows}) as k\" %}}"
                f"{{{{ test_unique_combination_of_columns(model={PAIRS!r}, combination_of_columns=['d', 'e'], "
                f"keys_written_in=written{narrow}) }}}}")

    _build_record(show, "passed", "running")
    assert show(call([("x", "1")]), THIS_RUN_VARS) == [("x", "1", 2)]
    assert show(call([("x", "2")]), THIS_RUN_VARS) == []  # same d, another pair: not the duplicate
    assert show(call([("y", "1")]), THIS_RUN_VARS) == []  # same e, another pair
