"""The generated raw datasets bench runs on: one per size and generator version, cached."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console

from csw.bench.options import BenchError
from csw.bench.render import fmt_gib, fmt_s
from csw.bench.steps import csw_command, run_step


def generator_fingerprint() -> str:
    """Hash of the generator's source: a cached dataset is reused only by the same generator."""
    here = Path(__file__).resolve().parents[1]  # scripts/csw
    files = [here / "generate.py", here / "truth.py",
             *sorted(p for p in (here / "generator").glob("*.py") if p.name != "increment.py")]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def dataset_dir(cache_dir: Path, accounts: int, months: int, seed: int) -> Path:
    """Where the dataset of this size, seed and generator version is cached."""
    return cache_dir / "data" / f"a{accounts}_m{months}_s{seed}_{generator_fingerprint()}"


def raw_files(raw_dir: Path) -> list[Path]:
    """Every raw table file (``<source>/<table>.csv|.parquet``, or the extracts of a folder
    ``<source>/<table>/``), not ``_truth/``."""
    return sorted(
        p for p in [*raw_dir.glob("*/*"), *raw_dir.glob("*/*/*")]
        if p.suffix in (".csv", ".parquet") and p.is_file()
        and not p.relative_to(raw_dir).parts[0].startswith("_")
    )


def ensure_dataset(cache_dir: Path, accounts: int, months: int, seed: int, work: Path,
                   console: Console) -> tuple[Path, dict[str, Any]]:
    """The cached raw directory for this size, generated (in a subprocess, timed) when missing."""
    raw_dir = dataset_dir(cache_dir, accounts, months, seed)
    info: dict[str, Any] = {"path": str(raw_dir), "seed": seed, "generator": generator_fingerprint()}
    if (raw_dir / ".complete").exists():
        info["cached"] = True
        try:  # how long the generation took when it ran (an earlier bench run)
            earlier = json.loads((raw_dir / ".complete").read_text())
            info.update(generate_s=earlier.get("wall_s"), generate_peak_rss_bytes=earlier.get("peak_rss_bytes"))
        except (ValueError, AttributeError):
            pass
        console.print(f"  dataset   [dim]cached[/] {raw_dir}", highlight=False)
    else:
        partial = raw_dir.with_name(raw_dir.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with console.status(f"generate {accounts:,} accounts x {months} months"):
            step = run_step(
                csw_command("generate", "--out", str(partial), "--accounts", str(accounts),
                            "--months", str(months), "--seed", str(seed), "--layout", "folder"),
                work / "logs" / "generate.log",
            )
        if step.rc != 0:
            raise BenchError(f"csw generate failed (rc={step.rc}), see {step.log}")
        (partial / ".complete").write_text(json.dumps(step.as_dict()))
        shutil.rmtree(raw_dir, ignore_errors=True)
        partial.rename(raw_dir)
        info.update(cached=False, generate_s=round(step.wall_s, 3), generate_peak_rss_bytes=step.peak_rss_bytes)
        console.print(f"  dataset   generated in {fmt_s(step.wall_s)}, peak {fmt_gib(step.peak_rss_bytes)}",
                      highlight=False)
    files = raw_files(raw_dir)
    info["files"] = len(files)
    info["raw_bytes"] = sum(p.stat().st_size for p in files)
    return raw_dir, info
