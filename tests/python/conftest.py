"""Shared fixtures: small generated datasets, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from csw.generate import generate

SMALL = dict(accounts=300, months=18)


@pytest.fixture(scope="session")
def gen_dir(tmp_path_factory) -> Path:
    """300 accounts x 18 months, seed 1, every fault on."""
    out = tmp_path_factory.mktemp("gen_a")
    generate(out, seed=1, **SMALL)
    return out


@pytest.fixture(scope="session")
def gen_clean(tmp_path_factory) -> Path:
    """The same world without faults and without the product source."""
    out = tmp_path_factory.mktemp("gen_clean")
    generate(out, seed=1, faults=frozenset(), product_source=False, **SMALL)
    return out


# --- cross-engine tests (marker `cross_engine`; tests/python/_cross_engine.py) ---------------

CROSS_ENGINE = dict(accounts=1000, months=24, seed=11)


@pytest.fixture(scope="session")
def cross_engine_raw(tmp_path_factory) -> Path:
    """1,000 accounts x 24 months, every fault on: the dataset every engine builds."""
    out = tmp_path_factory.mktemp("cross_engine") / "raw"
    generate(out, **CROSS_ENGINE)
    return out


@pytest.fixture(scope="session")
def cross_engine_duckdb(cross_engine_raw, tmp_path_factory):
    """The DuckDB build of `cross_engine_raw` (the reference the other engines must match)."""
    from _warehouse import Warehouse

    from csw.cli import main as csw_main

    db_path = tmp_path_factory.mktemp("cross_engine_duckdb") / "warehouse.duckdb"
    rc = csw_main(["build", "--raw-dir", str(cross_engine_raw), "--db", str(db_path),
                   "--no-progress"])
    assert rc == 0, "csw build on DuckDB failed (see the dbt output above)"
    return Warehouse(raw_dir=cross_engine_raw, db_path=db_path)


# --- BI tests (test_bi_marts.py, test_superset.py) -------------------------------------------


@pytest.fixture(scope="session")
def demo_published(tmp_path_factory):
    """The bundled demo built into a temporary warehouse and published (csw build + publish)."""
    from _warehouse import Warehouse

    from csw.cli import main as csw_main
    from csw.runner import PROJECT_DIR

    root = tmp_path_factory.mktemp("bi_demo")
    raw_dir = PROJECT_DIR / "data" / "demo"
    db_path = root / "warehouse.duckdb"
    rc = csw_main(["build", "--raw-dir", str(raw_dir), "--db", str(db_path), "--no-progress"])
    assert rc == 0, "csw build of the demo failed (see the dbt output above)"
    rc = csw_main(["publish", "--db", str(db_path), "--out", str(root / "published")])
    assert rc == 0, "csw publish failed"
    return Warehouse(raw_dir=raw_dir, db_path=db_path), root / "published"
