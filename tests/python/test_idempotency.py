"""Idempotency: building the same raw directory again gives identical marts, table by table.

The small clean world (_faults.clean_world: 60 accounts x 6 months, every model) is built once on a
fresh database; here every model is built again over that database (raw tables reloaded, every
table replaced) and each table in schema `marts` is compared by row count and the md5 of its rows'
text in sorted order.
"""

from __future__ import annotations

import pytest

from _faults import FULL_RUN, Clean, Workspace, checksums, clean_world, mart_tables


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> tuple[Workspace, Clean]:
    ws, clean = clean_world(tmp_path_factory)
    ws.reset(clean.raw_dir, clean.db_path)  # the second build runs over the first one's database
    result = ws.dbt(*FULL_RUN)
    assert result.success, result.text
    return ws, clean


def test_every_mart_is_identical_after_a_second_build(rebuilt):
    ws, clean = rebuilt
    first, second = checksums(clean.db_path), checksums(ws.db_path)
    assert set(second) == set(first), "the second build produced other mart tables"
    assert len(first) >= 20 and {"fct_mrr", "dq_quarantine", "dq_row_reconciliation"} <= set(first)
    differing = {t: (first[t], second[t]) for t in first if first[t] != second[t]}
    assert not differing, f"marts differ between two builds of the same raw directory: {differing}"


def test_marts_are_not_empty(rebuilt):
    """Guard against a vacuous pass: the compared marts hold rows."""
    ws, _ = rebuilt
    sums = checksums(ws.db_path, mart_tables(ws.db_path))
    for mart in ("fct_mrr", "fct_mrr_movements", "dim_customers", "dq_row_reconciliation"):
        assert sums[mart][0] > 0, f"marts.{mart} is empty"


def test_full_refresh_after_a_build_gives_identical_marts(tmp_path_factory):
    """`--full-refresh` over an existing database rebuilds every table from scratch with the same
    result. (Incremental runs over appended data = full refresh: tests/python/test_incremental.py.)"""
    ws, clean = clean_world(tmp_path_factory)
    ws.reset(clean.raw_dir, clean.db_path)
    result = ws.dbt(*FULL_RUN, "--full-refresh")
    assert result.success, result.text
    first, refreshed = checksums(clean.db_path), checksums(ws.db_path)
    assert refreshed == first
