"""Shared fixtures: small generated datasets, built once per test session.

Also how the suite runs in parallel (`make test`: pytest-xdist, `-n 2 --dist loadgroup`, with
the scheduler below): every module is one group, run whole by one worker, so a module's fixtures
are built once; modules that share a session fixture or a resource that takes one user at a time
are one group (`GROUPS`); the slowest groups are handed out first (`SLOWEST_FIRST`). Each pytest
process (each worker) has its own dbt target and log directory, so no two builds write one
manifest.json.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import pytest

from csw.generate import generate

if TYPE_CHECKING:
    from _warehouse import Warehouse

# Modules that must run on the same worker: the Postgres tests take the build lock of
# target_postgres/ (a second `csw build --target postgres` would exit 3, "locked"); the Spark
# tests each start a throwaway cluster of JVMs (one set at a time is enough for two cores); the
# BI tests share the published demo (`demo_published`, whose warehouse test_superset rebuilds);
# the truth and health-backtest tests share generated builds (`generated_warehouse`).
GROUPS = {
    "test_cross_engine_postgres.py": "postgres",
    "test_postgres_portability.py": "postgres",
    "test_cross_engine_spark.py": "spark",
    "test_spark_cluster.py": "spark",
    "test_bi_marts.py": "bi_demo",
    "test_superset.py": "bi_demo",
    # both read the 400 x 24 builds of `generated_warehouse` (seeds 7 and 1234)
    "test_marts_vs_truth.py": "generated_400x24",
    "test_health_backtest.py": "generated_400x24",
}

# Longest first, so that the other worker takes the short modules meanwhile (longest-processing-
# time-first); the rest keep their file order. From `make test`'s --durations (BENCHMARKS.md,
# "CI timings"); a module missing here only runs later, nothing is skipped.
SLOWEST_FIRST = [
    "spark",
    "postgres",
    "test_fault_matrix.py",
    "bi_demo",
    "generated_400x24",
    "test_bench.py",  # csw bench --quick
]


def _group(path: str) -> str:
    """The xdist group of a test file: its GROUPS entry, else the file itself."""
    name = Path(path).name
    return GROUPS.get(name, name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {group: i for i, group in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(_group(str(item.path)), len(rank)))  # stable: file order otherwise


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup` with the groups above: xdist's LoadScope scheduling (one group at a time
    to a worker, in collection order) with our group as the scope. (xdist's own loadgroup reads
    `xdist_group` marks by renaming node ids, which pytest 9 no longer allows.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid.split("::", 1)[0])

    return ModuleGroupScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def dbt_paths_of_this_process(tmp_path_factory) -> Iterator[Path]:
    """dbt's target and log paths for every dbt run of this pytest process without its own
    `--target-path` (csw build, plain dbt): under the session's temp directory, one per xdist
    worker, never the checkout's target/ (which `make lint` may be using). `csw build` reads its
    freshness results from the same place (csw.freshness).

    And `csw build` skips the dbt unit tests (CSW_UNIT_TESTS=skip, unless set): they check the
    code, not the data, so the suite runs them in the builds that are about them, with
    `--unit-tests always`: the demo build (`demo_build`, test_bi_marts checks they ran), and
    the Postgres and Spark cross-engine builds. Plain `dbt build` in a test still runs them.
    Likewise the freshness report after the build (CSW_FRESHNESS=off, unless set): the demo build
    and the fault-matrix case that reads it run it (`--freshness warn`), test_freshness the
    `error` mode."""
    root = tmp_path_factory.getbasetemp() / "dbt"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        patch.setenv("CSW_UNIT_TESTS", os.environ.get("CSW_UNIT_TESTS") or "skip")
        patch.setenv("CSW_FRESHNESS", os.environ.get("CSW_FRESHNESS") or "off")
        yield root


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


def _made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A directory `make` fills once for the whole test run: under pytest-xdist every worker
    has its own base temp directory below one shared one, so the first worker to get here makes
    it under a file lock, and the others wait and reuse it (read-only from then on)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    target = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (target / ".made").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            make(target)
            (target / ".made").touch()
    return target


@pytest.fixture(scope="session")
def cross_engine_raw(tmp_path_factory) -> Path:
    """1,000 accounts x 24 months, every fault on: the dataset every engine builds (generated
    once per test run, shared by the Postgres and Spark modules on their two workers)."""
    return _made_once(tmp_path_factory, "cross_engine_raw",
                      lambda out: generate(out / "raw", **CROSS_ENGINE)) / "raw"


@pytest.fixture(scope="session")
def cross_engine_duckdb(cross_engine_raw, tmp_path_factory):
    """The DuckDB build of `cross_engine_raw` (the reference the other engines must match),
    built once per test run like the raw directory."""
    from _warehouse import Warehouse

    from csw.cli import main as csw_main

    def build(out: Path) -> None:
        rc = csw_main(["build", "--raw-dir", str(cross_engine_raw), "--db", str(out / "warehouse.duckdb"),
                       "--no-progress"])
        assert rc == 0, "csw build on DuckDB failed (see the dbt output above)"

    db_path = _made_once(tmp_path_factory, "cross_engine_duckdb", build) / "warehouse.duckdb"
    return Warehouse(raw_dir=cross_engine_raw, db_path=db_path)


# --- generated 400 x 24 warehouses (MRR truth, health backtest) ------------------------------

GENERATED = dict(accounts=400, months=24)


@pytest.fixture(scope="session")
def generated_warehouse(tmp_path_factory) -> Callable[[int], "Warehouse"]:
    """`generated_warehouse(seed)`: 400 accounts x 24 months of that seed, every fault on,
    generated and built once per test run (like `cross_engine_duckdb`) and read-only.
    test_marts_vs_truth and test_health_backtest read the same builds, one per seed, instead
    of building the same world twice."""
    from _warehouse import Warehouse, generate_and_build

    def get(seed: int) -> Warehouse:
        made = _made_once(tmp_path_factory, f"generated_400x24_seed{seed}",
                          lambda out: generate_and_build(out, seed=seed, **GENERATED))
        return Warehouse(raw_dir=made / "raw", db_path=made / "warehouse.duckdb")

    return get


# --- the demo warehouse (BI tests, report, semantic layer, crash safety) ----------------------


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The bundled demo built once per test run (like `cross_engine_duckdb`), read-only: the
    suite's DuckDB run of every dbt unit test (`--unit-tests always`, test_bi_marts checks its
    build record) and of the default freshness report. Tests that need a demo warehouse take a
    copy (`demo_warehouse_copy`) instead of building the same data again."""
    from _warehouse import DEMO_RAW_DIR
    from csw.cli import main as csw_main

    def build(out: Path) -> None:
        rc = csw_main(["build", "--raw-dir", str(DEMO_RAW_DIR), "--db", str(out / "warehouse.duckdb"),
                       "--no-progress", "--unit-tests", "always", "--freshness", "warn"])
        assert rc == 0, "csw build of the demo failed (see the dbt output above)"

    return _made_once(tmp_path_factory, "demo_build", build) / "warehouse.duckdb"


@pytest.fixture(scope="session")
def demo_warehouse_copy(demo_build) -> Callable[[Path], Path]:
    """Copies the demo build into a directory of the caller's: `warehouse.duckdb` there, a
    warehouse the test may build over, publish or change. The file keeps its name because the
    staging views name their catalog, which DuckDB takes from the file name."""

    def copy(directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / demo_build.name
        shutil.copyfile(demo_build, target)
        return target

    return copy


@pytest.fixture(scope="session")
def demo_published(tmp_path_factory, demo_warehouse_copy):
    """A copy of the demo build, published (csw publish): what the BI tests read."""
    from _warehouse import DEMO_RAW_DIR, Warehouse

    from csw.cli import main as csw_main

    root = tmp_path_factory.mktemp("bi_demo")
    db_path = demo_warehouse_copy(root)
    rc = csw_main(["publish", "--db", str(db_path), "--out", str(root / "published")])
    assert rc == 0, "csw publish failed"
    return Warehouse(raw_dir=DEMO_RAW_DIR, db_path=db_path), root / "published"
