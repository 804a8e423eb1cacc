"""The csw command line: argument validation and error exits (no dbt run needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csw.cli import build_parser, main


def test_build_requires_existing_raw_dir(tmp_path: Path):
    assert main(["build", "--raw-dir", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb")]) == 2


@pytest.mark.parametrize("bad", [["generate", "--out", "x", "--accounts", "0"],
                                 ["generate", "--out", "x", "--faults", "typo"],
                                 ["generate", "--out", "x", "--as-of", "2026-13-01"],
                                 ["build", "--raw-dir", "x", "--target", "oracle"]])
def test_bad_arguments_exit_with_usage_error(bad: list[str]):
    with pytest.raises(SystemExit) as excinfo:
        build_parser().parse_args(bad)
    assert excinfo.value.code == 2


def test_fault_lists_parse():
    args = build_parser().parse_args(["generate", "--out", "x", "--faults", "duplicates,soft_deletes"])
    assert args.faults == frozenset({"duplicates", "soft_deletes"})
    assert build_parser().parse_args(["generate", "--out", "x", "--faults", "none"]).faults == frozenset()
