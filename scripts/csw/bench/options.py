"""What a ``csw bench`` run is asked to do: its defaults, its options and its error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csw.runner import PROJECT_DIR

if TYPE_CHECKING:
    from argparse import Namespace

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_MONTHS = 36
DEFAULT_SEED = 7
QUICK_ACCOUNTS = 1_000
QUICK_MONTHS = 12


def profile_default(variable: str) -> str:
    """The default profiles.yml gives an env var (`env_var('NAME', 'default')`): the profile owns
    the DuckDB settings, and the bench steps that open DuckDB themselves use the same values."""
    text = (PROJECT_DIR / "profiles.yml").read_text()
    found = re.search(r"env_var\(\s*'" + re.escape(variable) + r"'\s*,\s*'([^']*)'\s*\)", text)
    if found is None:
        raise LookupError(f"profiles.yml has no env_var('{variable}', <default>)")
    return found.group(1)


# DuckDB settings of profiles.yml (env vars CSW_MEMORY_LIMIT, CSW_DUCKDB_THREADS), for the steps
# that open DuckDB themselves and for the record of a run.
DEFAULT_MEMORY_LIMIT = profile_default("CSW_MEMORY_LIMIT")
DEFAULT_DUCKDB_THREADS = profile_default("CSW_DUCKDB_THREADS")
# Our models that do what the naive spine does, in build order (compiled SQL re-run by NAIVE).
OUR_MRR_MODELS = (
    "int_charge_segments__months",
    "int_mrr__customer_product_month_currency",
    "int_mrr__customer_product_month",
    "fct_mrr",
)
NAIVE_ANALYSIS = "naive_mrr_spine"


class BenchError(RuntimeError):
    """A benchmark step failed (its log says why)."""


@dataclass
class BenchOptions:
    sizes: tuple[int, ...] = DEFAULT_SIZES
    months: int = DEFAULT_MONTHS
    seed: int = DEFAULT_SEED
    cache_dir: Path = PROJECT_DIR / ".bench"
    json_path: Path = PROJECT_DIR / "benchmarks" / "results.json"
    md_path: Path | None = PROJECT_DIR / "BENCHMARKS.md"
    quick: bool = False
    verify_max_accounts: int = 10_000  # full-refresh comparison of the incremental run up to this size
    keep_work: bool = False
    merge: bool = False  # keep the other sizes' runs already in json_path
    extra: dict[str, Any] = field(default_factory=dict)


def options_from_args(args: Namespace) -> BenchOptions:
    """The options of ``csw bench`` from its parsed flags (the parser is in csw.cli)."""
    quick = bool(args.quick)
    # --quick keeps to its own ignored directory: CI runs never touch the datasets of real runs.
    cache_dir = args.cache_dir or (PROJECT_DIR / ".bench" / "quick" if quick else PROJECT_DIR / ".bench")
    return BenchOptions(
        sizes=(QUICK_ACCOUNTS,) if quick else args.sizes,
        months=args.months or (QUICK_MONTHS if quick else DEFAULT_MONTHS),
        seed=args.seed,
        cache_dir=cache_dir,
        json_path=args.json or (cache_dir / "results.json" if quick else PROJECT_DIR / "benchmarks" / "results.json"),
        md_path=args.out or (None if quick else PROJECT_DIR / "BENCHMARKS.md"),
        quick=quick,
        verify_max_accounts=args.verify_max_accounts,
        keep_work=args.keep_work,
        merge=args.merge,
    )


def command_line(opts: BenchOptions) -> str:
    """The command recorded in the results: what a user types to repeat this run."""
    if opts.quick:
        return "csw bench --quick"
    return f"csw bench --sizes {','.join(str(s) for s in opts.sizes)} --months {opts.months}"
