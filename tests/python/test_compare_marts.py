"""csw compare-marts: equal marts pass; a changed value, a lost duplicate, a type or a table differ."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from csw.cli import main
from csw.compare_marts import compare_marts


def _warehouse(path: Path, statements: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for statement in statements:
            con.execute(statement)
    return path


BASE = [
    "create table marts.a (id integer, amount decimal(18, 2))",
    "insert into marts.a values (1, 1.50), (2, 2.00), (2, 2.00)",
    "create table marts.b (x varchar)",
]


def test_identical_warehouses_are_equal(tmp_path: Path) -> None:
    before = _warehouse(tmp_path / "before.duckdb", BASE)
    after = _warehouse(tmp_path / "after.duckdb", BASE)
    results = compare_marts(before, after)
    assert [r.table for r in results] == ["a", "b"]
    assert all(r.equal for r in results)
    assert main(["compare-marts", str(before), str(after)]) == 0


@pytest.mark.parametrize(
    "change, problem",
    [
        ("update marts.a set amount = 1.51 where id = 1", "1 row(s) only before, 1 only after"),
        ("delete from marts.a where id = 2", "2 row(s) only before, 0 only after"),
        ("insert into marts.a values (2, 2.00)", "0 row(s) only before, 1 only after"),
        ("alter table marts.a alter amount type decimal(38, 2)", "columns differ"),
        ("alter table marts.a rename amount to amount_usd", "columns differ"),
        ("drop table marts.b", "only before"),
    ],
)
def test_each_kind_of_difference_is_named(tmp_path: Path, change: str, problem: str) -> None:
    before = _warehouse(tmp_path / "before.duckdb", BASE)
    after = _warehouse(tmp_path / "after.duckdb", [*BASE, change])
    different = [r for r in compare_marts(before, after) if not r.equal]
    assert len(different) == 1
    assert problem in different[0].problems[0]
    assert main(["compare-marts", str(before), str(after)]) == 1
