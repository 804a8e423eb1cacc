"""The measured steps of one size (FLOOR, FULL, NAIVE, INCREMENTAL), each timed in its own subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from csw.bench.options import NAIVE_ANALYSIS, OUR_MRR_MODELS, BenchError, BenchOptions
from csw.bench.render import fmt_gib, fmt_s
from csw.dbt_env import dbt_environment
from csw.runner import PROJECT_DIR


@dataclass
class Step:
    """One subprocess: wall time, CPU time (user + system), its peak RSS, exit code and its log."""

    wall_s: float
    peak_rss_bytes: int
    rc: int
    log: str
    cpu_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3),
                "peak_rss_bytes": self.peak_rss_bytes, "rc": self.rc, "log": self.log}


def run_step(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Step:
    """Run ``cmd`` to completion, output to ``log``; peak RSS of the child (and its reaped children)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=PROJECT_DIR)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB.
    return Step(wall_s=wall, peak_rss_bytes=int(usage.ru_maxrss) * 1024, rc=proc.returncode, log=str(log),
                cpu_s=usage.ru_utime + usage.ru_stime)


def csw_command(*args: str) -> list[str]:
    """``csw <args>`` in a child process of this Python (``python -m csw.cli``)."""
    return [sys.executable, "-m", "csw.cli", *args]


def _dbt_executable() -> str:
    sibling = Path(sys.executable).with_name("dbt")
    return str(sibling) if sibling.exists() else "dbt"


def _build_env(raw_dir: Path, db_path: Path, work: Path) -> dict[str, str]:
    """csw build's env (csw.dbt_env) plus a target and log path of its own (parallel runs and the
    repo's target/ are left alone)."""
    return {
        **dbt_environment(raw_dir, db_path, "dev"),
        "DBT_TARGET_PATH": str((work / "target").resolve()),
        "DBT_LOG_PATH": str((work / "logs" / "dbt").resolve()),
    }


def _build(raw_dir: Path, db_path: Path, work: Path, log: Path, *extra: str) -> Step:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return run_step(
        csw_command("build", "--raw-dir", str(raw_dir), "--db", str(db_path), "--no-progress", *extra),
        log, env=_build_env(raw_dir, db_path, work),
    )


def _run_results(work: Path) -> dict[str, Any]:
    path = work / "target" / "run_results.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _node_times(run_results: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [
        {"node": r["unique_id"].split(".", 2)[-1] if r["unique_id"].count(".") >= 2 else r["unique_id"],
         "unique_id": r["unique_id"], "seconds": round(float(r.get("execution_time") or 0.0), 3),
         "status": r.get("status")}
        for r in run_results.get("results", [])
    ]
    return sorted(nodes, key=lambda n: n["seconds"], reverse=True)


def _seconds_by_type(nodes: list[dict[str, Any]]) -> dict[str, float]:
    """Summed execution time per resource type (model, test, unit_test, seed, operation)."""
    sums: dict[str, float] = {}
    for node in nodes:
        kind = node["unique_id"].split(".", 1)[0]
        sums[kind] = round(sums.get(kind, 0.0) + node["seconds"], 3)
    return dict(sorted(sums.items(), key=lambda kv: -kv[1]))


def link_tree(src: Path, dst: Path) -> None:
    """A copy of ``src`` made of hard links (a real copy where links are not possible)."""
    shutil.rmtree(dst, ignore_errors=True)

    def link(s: str, d: str) -> None:
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)

    shutil.copytree(src, dst, copy_function=link)


def measure_floor(raw_dir: Path, work: Path, console: Console) -> dict[str, Any]:
    """FLOOR: a fresh DuckDB reads every raw file once and writes the rows back (``bench-step floor``)."""
    result_path = work / "floor.json"
    (work / "floor").mkdir(parents=True, exist_ok=True)
    with console.status("floor: read every raw file once, write the rows back out"):
        step = run_step(
            csw_command("bench-step", "floor", "--raw-dir", str(raw_dir), "--db",
                        str(work / "floor" / "floor.duckdb"), "--out-dir", str(work / "floor" / "parquet"),
                        "--result", str(result_path)),
            work / "logs" / "floor.log",
        )
    if step.rc != 0:
        raise BenchError(f"floor step failed (rc={step.rc}), see {step.log}")
    inner = json.loads(result_path.read_text())
    out = {**step.as_dict(), "load_s": round(inner["load_s"], 3), "write_s": round(inner["write_s"], 3),
           "rows": inner["rows"], "tables": inner["tables"]}
    console.print(f"  floor     {fmt_s(step.wall_s)} (read {fmt_s(inner['load_s'])}, write "
                  f"{fmt_s(inner['write_s'])}), {inner['rows']:,} raw rows, peak "
                  f"{fmt_gib(step.peak_rss_bytes)}", highlight=False)
    return out


def measure_full(raw_dir: Path, db_path: Path, work: Path, raw_rows: int, console: Console) -> dict[str, Any]:
    """FULL: ``csw build`` on a fresh database; per-node times from run_results.json."""
    with console.status("full build: csw build on a fresh database"):
        step = _build(raw_dir, db_path, work, work / "logs" / "full_build.log")
    rr = _run_results(work)
    nodes = _node_times(rr)
    out = {
        **step.as_dict(),
        "dbt_build_elapsed_s": round(float(rr.get("elapsed_time") or 0.0), 3) or None,
        "nodes": len(nodes),
        "nodes_failed": sum(1 for n in nodes if n["status"] in ("error", "fail", "runtime error")),
        "rows_per_s": round(raw_rows / step.wall_s) if step.wall_s > 0 else None,
        "slowest": nodes[:10],
        "seconds_by_type": _seconds_by_type(nodes),
        "mrr_models_s": {n["node"].split(".")[-1]: n["seconds"] for n in nodes
                         if n["node"].split(".")[-1] in OUR_MRR_MODELS and n["unique_id"].startswith("model.")},
    }
    if step.rc != 0:
        raise BenchError(f"full build failed (rc={step.rc}), see {step.log}")
    console.print(f"  full      {fmt_s(step.wall_s)}, {out['nodes']} nodes, peak "
                  f"{fmt_gib(step.peak_rss_bytes)}, {out['rows_per_s']:,} raw rows/s", highlight=False)
    return out


def measure_naive(raw_dir: Path, db_path: Path, work: Path, console: Console) -> dict[str, Any]:
    """Compile the analysis and our models, then time both on the built warehouse (one process)."""
    with console.status("naive baseline: compile, then run it and our models' SQL"):
        compile_step = run_step(
            [_dbt_executable(), "compile", "--select", NAIVE_ANALYSIS, *OUR_MRR_MODELS,
             "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--quiet"],
            # A target path of its own: compiling with other flags than csw build would make the
            # next build (the incremental run) parse from scratch.
            work / "logs" / "naive_compile.log", env=_build_env(raw_dir, db_path, work / "naive"),
        )
        if compile_step.rc != 0:
            raise BenchError(f"dbt compile failed (rc={compile_step.rc}), see {compile_step.log}")
        result_path = work / "naive.json"
        step = run_step(
            csw_command("bench-step", "naive", "--db", str(db_path), "--compiled-dir",
                        str(work / "naive" / "target" / "compiled" / "customer_success_warehouse"),
                        "--result", str(result_path)),
            work / "logs" / "naive.log",
        )
    if step.rc != 0:
        raise BenchError(f"naive step failed (rc={step.rc}), see {step.log}")
    inner = json.loads(result_path.read_text())
    out = {**inner, "naive_s": round(inner["naive_s"], 3), "ours_s": round(inner["ours_s"], 3),
           "ours_models_s": {k: round(v, 3) for k, v in inner["ours_models_s"].items()},
           "compile_s": round(compile_step.wall_s, 3), "step": step.as_dict()}
    verdict = "[green]equal[/]" if inner["totals_equal"] else f"[red]differ ({inner['months_differing']} months)[/]"
    console.print(f"  naive     {fmt_s(inner['naive_s'])} vs ours {fmt_s(inner['ours_s'])}; "
                  f"MRR per month {verdict}", highlight=False)
    return out


def measure_incremental(cached_raw: Path, build_raw: Path, db_path: Path, work: Path, accounts: int,
                        opts: BenchOptions, console: Console) -> dict[str, Any]:
    """One more day at the same raw path, built over the full build's database without
    --full-refresh (a daily run); then, up to ``verify_max_accounts``, a full refresh of the same
    raw data on a fresh database and a mart-by-mart comparison."""
    if importlib.util.find_spec("csw.generator.increment") is None:
        console.print("  increment [yellow]skipped: append_day not available "
                      "(csw.generator.increment, branch incr, not merged)[/]", highlight=False)
        return {"status": "skipped", "reason": "append_day not available (csw.generator.increment missing)"}
    next_raw = work / "raw_next"
    with console.status("increment: append one day of raw data (to a copy of the dataset)"):
        # A real copy: append_day appends to the files, and work/raw holds links to the cache.
        # In a subprocess: a child's peak RSS starts from this process's, which must stay small.
        summary_path = work / "append_day.json"
        appended = run_step(
            csw_command("bench-step", "append", "--raw-dir", str(cached_raw), "--out", str(next_raw),
                        "--result", str(summary_path)),
            work / "logs" / "append_day.log",
        )
    if appended.rc != 0:
        raise BenchError(f"append_day failed (rc={appended.rc}), see {appended.log}")
    summary = json.loads(summary_path.read_text())
    build_raw.rename(work / "raw_full")
    next_raw.rename(build_raw)
    with console.status("incremental build: csw build over the full build's database"):
        step = _build(build_raw, db_path, work / "full", work / "logs" / "incremental_build.log")
    nodes = _node_times(_run_results(work / "full"))
    out: dict[str, Any] = {
        "status": "measured", **step.as_dict(), "append_day": summary,
        "appended_rows": summary.get("total_rows"),
        "dbt_build_elapsed_s": round(float(_run_results(work / "full").get("elapsed_time") or 0.0), 3) or None,
        "slowest": nodes[:10],
        "seconds_by_type": _seconds_by_type(nodes),
    }
    if step.rc != 0:
        raise BenchError(f"incremental build failed (rc={step.rc}), see {step.log}")
    console.print(f"  increment {fmt_s(step.wall_s)} for {summary.get('total_rows', 0):,} appended rows, peak "
                  f"{fmt_gib(step.peak_rss_bytes)}", highlight=False)
    if accounts > opts.verify_max_accounts:
        out["identical_to_full_refresh"] = None
        out["verify_skipped_reason"] = (
            f"full-refresh comparison skipped above {opts.verify_max_accounts:,} accounts (one more full "
            "build); checked at the smaller sizes and by the incremental tests")
        console.print(f"  verify    [yellow]skipped[/] ({out['verify_skipped_reason']})", highlight=False)
        return out
    refresh_db = work / "refresh" / "warehouse.duckdb"
    with console.status("verify: full refresh of the same raw data, then compare every mart"):
        refresh = _build(build_raw, refresh_db, work / "refresh", work / "logs" / "refresh_build.log",
                         "--full-refresh")
        if refresh.rc != 0:
            raise BenchError(f"full-refresh build failed (rc={refresh.rc}), see {refresh.log}")
        sums = {}
        for label, db in (("incremental", db_path), ("full_refresh", refresh_db)):
            path = work / f"checksums_{label}.json"
            s = run_step(csw_command("bench-step", "checksums", "--db", str(db), "--result", str(path)),
                         work / "logs" / f"checksums_{label}.log")
            if s.rc != 0:
                raise BenchError(f"checksums failed (rc={s.rc}), see {s.log}")
            sums[label] = json.loads(path.read_text())
    differing = sorted(t for t in set(sums["incremental"]) | set(sums["full_refresh"])
                       if sums["incremental"].get(t) != sums["full_refresh"].get(t))
    out.update(identical_to_full_refresh=not differing and bool(sums["incremental"]),
               marts_compared=len(sums["full_refresh"]), differing_marts=differing,
               full_refresh_wall_s=round(refresh.wall_s, 3))
    verdict = "[green]identical[/]" if out["identical_to_full_refresh"] else f"[red]differ: {differing}[/]"
    console.print(f"  verify    {len(sums['full_refresh'])} marts vs a full refresh: {verdict}", highlight=False)
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def ratios(run: dict[str, Any]) -> dict[str, float | None]:
    """full / floor, incremental / full and naive vs ours of one size."""
    incr = run["incremental"]
    return {
        "full_over_floor": _ratio(run["full"]["wall_s"], run["floor"]["wall_s"]),
        "incremental_over_full": _ratio(incr.get("wall_s"), run["full"]["wall_s"]),
        "ours_over_naive": _ratio(run["naive"]["ours_s"], run["naive"]["naive_s"]),
        "naive_over_ours": _ratio(run["naive"]["naive_s"], run["naive"]["ours_s"]),
    }


def git_commit() -> str:
    """The checked-out commit (``unknown`` outside git)."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_DIR, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
