"""``csw bench``: time the warehouse against a floor, itself and a naive baseline (issue #7).

For each size (accounts x months) it generates a raw directory (or reuses the cache) and runs,
each step in its own subprocess so its wall time and peak RSS are its own:

- FLOOR: a fresh DuckDB reads every raw file once (``read_csv``, all VARCHAR, as the loader
  does) into a table and writes the same rows back out as Parquet. What no build can beat.
- FULL: ``csw build --no-progress`` on a fresh database file, as a user runs it; the per-node
  times come from dbt's ``run_results.json``.
- NAIVE: ``analyses/naive_mrr_spine.sql`` (the dbt mrr-playbook's customer x month spine, range
  join and ``lag()``), compiled by dbt and run on the built warehouse next to the compiled SQL of
  our equivalent models; their total MRR per month must agree with ``marts.fct_mrr``.
- INCREMENTAL: one more day of raw data (``csw.generator.increment.append_day``) built over a
  copy of the full build's database without ``--full-refresh``, then compared mart by mart with
  a full refresh of the same raw data.

Peak RSS is the child's ``ru_maxrss`` from ``os.wait4`` (dbt runs DuckDB in its own process, so
that is the build's memory). Results go to a JSON file and a section of BENCHMARKS.md. Timings
are recorded, never asserted: on a shared machine they are upper bounds.

This module runs a benchmark (``run``, ``run_bench``: every size, then the results); the rest is
split by job: ``options`` (defaults, BenchOptions), ``dataset`` (cached raw data), ``steps`` (the
measured subprocesses), ``inner`` (what runs inside them, ``csw bench-step``), ``targets`` (issue
#7's verdicts) and ``render`` (BENCHMARKS.md, the console). The flags are parsed in ``csw.cli``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console

from csw.bench.dataset import ensure_dataset, generator_fingerprint, raw_files
from csw.bench.inner import _append_day  # noqa: F401 (tests import it from here)
from csw.bench.options import (
    DEFAULT_DUCKDB_THREADS,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    DEFAULT_SIZES,
    QUICK_ACCOUNTS,
    QUICK_MONTHS,
    BenchError,
    BenchOptions,
    command_line,
    options_from_args,
)
from csw.bench.render import MD_BEGIN, MD_END, print_results, render_markdown, update_markdown
from csw.bench.steps import (
    git_commit,
    link_tree,
    measure_floor,
    measure_full,
    measure_incremental,
    measure_naive,
    ratios,
)
from csw.bench.targets import evaluate_targets

__all__ = [
    "DEFAULT_MONTHS", "DEFAULT_SEED", "DEFAULT_SIZES", "MD_BEGIN", "MD_END", "QUICK_ACCOUNTS", "QUICK_MONTHS",
    "BenchError", "BenchOptions", "bench_size", "evaluate_targets", "generator_fingerprint", "options_from_args",
    "print_results", "raw_files", "render_markdown", "run", "run_bench", "update_markdown",
]


def run(opts: BenchOptions, console: Console) -> int:
    """``csw bench``: every size, the results printed and written; 1 when a step failed."""
    command = command_line(opts)
    console.print(f"[bold]csw bench[/] sizes={','.join(str(s) for s in opts.sizes)} months={opts.months} "
                  f"cache={opts.cache_dir} [dim](timings are upper bounds on a shared machine)[/]",
                  highlight=False)
    try:
        results = run_bench(opts, console, command=command)
    except BenchError as exc:
        console.print(f"[red]csw bench: {exc}[/]", highlight=False)
        return 1
    print_results(console, results)
    console.print(f"[green]wrote[/] {opts.json_path}" + (f" and {opts.md_path}" if opts.md_path else ""),
                  highlight=False)
    return 0


def run_bench(opts: BenchOptions, console: Console, command: str = "csw bench") -> dict[str, Any]:
    """Every size, then the targets. The JSON (and the markdown section when asked) is rewritten
    after each size, so an interrupted run keeps the sizes it finished."""
    loadavg_start = list(os.getloadavg())
    started = datetime.now(timezone.utc)
    opts.cache_dir.mkdir(parents=True, exist_ok=True)
    earlier: list[dict[str, Any]] = []
    if opts.merge and opts.json_path.exists():
        earlier = json.loads(opts.json_path.read_text()).get("runs", [])
    runs: list[dict[str, Any]] = []
    results: dict[str, Any] = {}
    for accounts in opts.sizes:
        runs.append(bench_size(accounts, opts, console))
        measured = {(r["accounts"], r["months"]) for r in runs}
        kept = [r for r in earlier if (r["accounts"], r["months"]) not in measured]
        results = _write_results(opts, command, started, loadavg_start,
                                 sorted(runs + kept, key=lambda r: (r["months"], r["accounts"])))
    return results


def _write_results(opts: BenchOptions, command: str, started: datetime, loadavg_start: list[float],
                   runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The results document (benchmarks/results.json schema 1), written; the markdown section too."""
    results: dict[str, Any] = {
        "schema_version": 1,
        "command": command,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": _machine(loadavg_start),
        "settings": {
            "months": opts.months, "seed": opts.seed, "quick": opts.quick,
            "memory_limit": os.environ.get("CSW_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
            "duckdb_threads": int(os.environ.get("CSW_DUCKDB_THREADS", DEFAULT_DUCKDB_THREADS)),
            "dbt_threads": int(os.environ.get("CSW_THREADS", "2")),
            "verify_max_accounts": opts.verify_max_accounts,
        },
        "note": "timings are upper bounds: the machine was shared with other jobs",
        "runs": runs,
    }
    results["targets"] = evaluate_targets(runs)
    opts.json_path.parent.mkdir(parents=True, exist_ok=True)
    if opts.md_path is not None:
        try:
            results["json_name"] = os.path.relpath(opts.json_path, opts.md_path.parent)
        except ValueError:
            results["json_name"] = str(opts.json_path)
    else:
        results["json_name"] = str(opts.json_path)
    opts.json_path.write_text(json.dumps(results, indent=2) + "\n")
    if opts.md_path is not None:
        update_markdown(opts.md_path, render_markdown(results))
    return results


def bench_size(accounts: int, opts: BenchOptions, console: Console) -> dict[str, Any]:
    """One size: dataset, floor, full build, naive baseline, incremental day; its record in the JSON."""
    months = opts.months
    work = opts.cache_dir / "runs" / f"a{accounts}_m{months}_s{opts.seed}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    console.rule(f"[bold]{accounts:,} accounts x {months} months[/]")
    measured: dict[str, Any] = {"accounts": accounts, "months": months, "seed": opts.seed,
                                "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                "git_commit": git_commit(), "loadavg_start": list(os.getloadavg())}
    raw_dir, measured["dataset"] = ensure_dataset(opts.cache_dir, accounts, months, opts.seed, work, console)

    measured["floor"] = measure_floor(raw_dir, work, console)
    raw_rows = measured["floor"]["rows"]
    measured["dataset"]["raw_rows"] = raw_rows

    # The builds read work/raw (hard links to the cached files): the daily incremental run later
    # finds the next day's data at the same path, as in production, so dbt's partial parse is reused.
    build_raw = work / "raw"
    link_tree(raw_dir, build_raw)
    full_db = work / "full" / "warehouse.duckdb"
    measured["full"] = measure_full(build_raw, full_db, work / "full", raw_rows, console)
    measured["naive"] = measure_naive(build_raw, full_db, work / "full", console)
    measured["incremental"] = measure_incremental(raw_dir, build_raw, full_db, work, accounts, opts, console)
    measured["loadavg_end"] = list(os.getloadavg())
    measured["ratios"] = ratios(measured)
    if not opts.keep_work:
        for sub in ("floor", "raw", "raw_full"):
            shutil.rmtree(work / sub, ignore_errors=True)
        for db in [*work.glob("*/*.duckdb"), *work.glob("*/*.duckdb.wal")]:
            db.unlink()  # logs, run_results.json and compiled SQL stay
    return measured


def _machine(loadavg_start: list[float]) -> dict[str, Any]:
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    from importlib.metadata import version  # no import of duckdb or dbt: this process stays small

    return {"cpus": os.cpu_count(), "mem_total_gib": round(mem_kib / 1024**2, 1),
            "python": platform.python_version(), "duckdb": version("duckdb"), "dbt_core": version("dbt-core"),
            "bench_process_peak_rss_bytes": _own_peak_rss(),
            "loadavg_start": loadavg_start, "loadavg_end": list(os.getloadavg())}


def _own_peak_rss() -> int | None:
    """This process's peak RSS (VmHWM). A child's ru_maxrss can start from it (fork/exec), so it is
    the floor under every peak RSS measured here; kept small on purpose."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
