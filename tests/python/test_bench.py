"""`csw bench --quick` (1k accounts x 12 months, the CI run issue 7 asks for): the JSON has every
field with sane values, the naive spine agrees with fct_mrr, and the incremental run equals a full
refresh. No timing is asserted (shared machine). Its markdown and JSON go to a temp directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from csw.bench import MD_BEGIN, MD_END, _append_day, options_from_args, run_bench
from csw.cli import build_parser, dbt_environment
from csw.dbt_env import dbt_environment as shared_dbt_environment
from csw.runner import PROJECT_DIR


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> tuple[dict, Path, Path]:
    root = tmp_path_factory.mktemp("bench")
    opts = options_from_args(build_parser().parse_args([
        "bench", "--quick", "--cache-dir", str(root / "cache"), "--json", str(root / "results.json"),
        "--out", str(root / "BENCHMARKS.md")]))
    assert (opts.sizes, opts.months, opts.quick) == ((1000,), 12, True)
    before = (PROJECT_DIR / "BENCHMARKS.md").read_text()
    results = run_bench(opts, Console(stderr=True), command="csw bench (test)")
    assert (PROJECT_DIR / "BENCHMARKS.md").read_text() == before, "the test run rewrote the repo's BENCHMARKS.md"
    return results, opts.json_path, root / "BENCHMARKS.md"


def test_json_is_written_and_has_every_section(bench):
    results, json_path, _ = bench
    assert json.loads(json_path.read_text()) == json.loads(json.dumps(results))
    for key in ("started_at", "git_commit", "machine", "settings", "runs", "targets", "note"):
        assert key in results
    (run,) = results["runs"]
    assert (run["accounts"], run["months"]) == (1000, 12)
    for key in ("dataset", "floor", "full", "naive", "incremental", "ratios"):
        assert key in run


def test_floor_and_full_build_are_measured(bench):
    (run,) = bench[0]["runs"]
    assert run["floor"]["rc"] == 0 and run["floor"]["wall_s"] > 0
    assert run["floor"]["rows"] > 10_000 and run["floor"]["rows"] == sum(run["floor"]["tables"].values())
    assert len(run["floor"]["tables"]) == run["dataset"]["files"] >= 15
    full = run["full"]
    assert full["rc"] == 0 and full["wall_s"] > 0 and full["nodes_failed"] == 0
    assert full["peak_rss_bytes"] > 50 * 1024**2  # dbt + DuckDB in one process: tens of MB at least
    assert full["nodes"] > 100 and len(full["slowest"]) == 10
    assert set(full["mrr_models_s"]) == {"int_charge_segments__months", "int_mrr__customer_product_month_currency",
                                         "int_mrr__customer_product_month", "fct_mrr"}
    assert run["ratios"]["full_over_floor"] > 0


def test_naive_spine_gives_our_total_mrr_per_month(bench):
    (run,) = bench[0]["runs"]
    naive = run["naive"]
    assert naive["totals_equal"], naive
    assert naive["months_compared"] >= 12 and naive["months_differing"] == 0
    assert naive["naive_rows_with_mrr"] == naive["fct_mrr_rows"] == naive["ours_rerun_fct_mrr_rows"] > 0
    assert naive["naive_s"] > 0 and naive["ours_s"] > 0 and run["ratios"]["naive_over_ours"] > 0


def test_incremental_run_equals_a_full_refresh(bench):
    (run,) = bench[0]["runs"]
    incr = run["incremental"]
    if _append_day() is None:
        assert incr["status"] == "skipped" and "append_day" in incr["reason"]
        pytest.skip("append_day not available (branch incr not merged)")
    assert incr["status"] == "measured" and incr["rc"] == 0 and incr["wall_s"] > 0
    assert incr["appended_rows"] > 0
    assert incr["identical_to_full_refresh"] is True, incr.get("differing_marts")
    assert incr["marts_compared"] >= 20 and incr["differing_marts"] == []
    assert run["ratios"]["incremental_over_full"] > 0


def test_targets_are_judged_or_marked_not_measured(bench):
    results, _, md_path = bench
    targets = {t["target"]: t for t in results["targets"]}
    assert set(targets) == {
        "full build vs floor (100k x 36)", "peak memory (100k x 36)", "daily incremental (100k x 36)",
        "full build vs floor (10k x 36)", "daily incremental (10k x 36)", "demo build (1k x 36)"}
    # 1k x 12 is none of the target sizes: every target says so instead of passing silently.
    assert all(t["met"] is None and t["why"].startswith("not measured") for t in targets.values())
    text = md_path.read_text()
    assert text.count(MD_BEGIN) == 1 and text.count(MD_END) == 1
    assert "| 1,000 x 12 |" in text and "upper bound" in text
    # at equal output, what each side of the naive comparison computes
    assert "Naive spine vs ours, 1,000 x 12: the same total MRR in every one of the 12 months" in text
    assert "`fct_mrr`" in text


def test_quick_options_never_touch_tracked_files():
    args = build_parser().parse_args(["bench", "--quick"])
    opts = options_from_args(args)
    assert opts.md_path is None and opts.sizes == (1000,)
    assert PROJECT_DIR / ".bench" in opts.json_path.parents


def test_bench_flags_and_internal_steps_are_parsed_by_csw_cli():
    args = build_parser().parse_args(["bench", "--sizes", "1_000,2000", "--months", "6", "--merge"])
    opts = options_from_args(args)
    assert (opts.sizes, opts.months, opts.merge, opts.md_path) == ((1000, 2000), 6, True, PROJECT_DIR / "BENCHMARKS.md")
    step = build_parser().parse_args(["bench-step", "checksums", "--db", "w.duckdb", "--result", "r.json"])
    assert (step.step, step.db, step.result) == ("checksums", Path("w.duckdb"), Path("r.json"))
    assert dbt_environment is shared_dbt_environment  # one environment builder, re-exported by csw.cli


def test_targets_of_issue_16_are_judged_per_size():
    """10k: full <= 4x floor and incremental <= 25% of full; 100k: 3x, 15% and peak RSS <= 4 GiB."""
    from csw.bench.targets import evaluate_targets

    def run(accounts: int, full_over_floor: float, incr_share: float, peak_gib: float) -> dict:
        return {"accounts": accounts, "months": 36,
                "ratios": {"full_over_floor": full_over_floor, "incremental_over_full": incr_share},
                "full": {"wall_s": 100.0, "peak_rss_bytes": int(peak_gib * 2**30),
                         "slowest": [{"node": "model.x", "seconds": 9.0}]},
                "floor": {"wall_s": 100.0 / full_over_floor},
                "incremental": {"status": "measured", "wall_s": 100.0 * incr_share, "identical_to_full_refresh": True,
                                "slowest": [{"node": "model.y", "seconds": 3.0}]}}

    targets = {t["target"]: t for t in evaluate_targets([run(10_000, 3.9, 0.26, 1.0), run(100_000, 3.1, 0.14, 3.9)])}
    assert targets["full build vs floor (10k x 36)"]["met"] is True
    assert targets["daily incremental (10k x 36)"]["met"] is False
    assert "model.y" in targets["daily incremental (10k x 36)"]["why"]
    assert targets["full build vs floor (100k x 36)"]["met"] is False
    assert targets["daily incremental (100k x 36)"]["met"] is True
    assert targets["peak memory (100k x 36)"]["met"] is True
    assert targets["demo build (1k x 36)"]["met"] is None


def test_duckdb_defaults_come_from_the_profile():
    """The bench's own DuckDB connections use the settings profiles.yml gives dbt (one owner)."""
    from csw.bench.options import DEFAULT_DUCKDB_THREADS, DEFAULT_MEMORY_LIMIT, profile_default

    profile = (PROJECT_DIR / "profiles.yml").read_text()
    assert f"env_var('CSW_MEMORY_LIMIT', '{DEFAULT_MEMORY_LIMIT}')" in profile
    assert f"env_var('CSW_DUCKDB_THREADS', '{DEFAULT_DUCKDB_THREADS}')" in profile
    with pytest.raises(LookupError, match="CSW_NO_SUCH_SETTING"):
        profile_default("CSW_NO_SUCH_SETTING")
