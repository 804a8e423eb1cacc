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


def test_unit_test_mode_comes_from_the_flag_else_csw_unit_tests(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CSW_UNIT_TESTS", raising=False)
    assert build_parser().parse_args(["build", "--raw-dir", "x"]).unit_tests == "auto"
    monkeypatch.setenv("CSW_UNIT_TESTS", "skip")
    assert build_parser().parse_args(["build", "--raw-dir", "x"]).unit_tests == "skip"
    assert build_parser().parse_args(["build", "--raw-dir", "x", "--unit-tests", "always"]).unit_tests == "always"


def test_a_bad_csw_unit_tests_value_is_refused_before_anything_runs(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path, capsys):
    monkeypatch.setenv("CSW_UNIT_TESTS", "never")
    with pytest.raises(SystemExit) as excinfo:  # a usage error while the arguments are parsed
        main(["build", "--raw-dir", str(tmp_path), "--db", str(tmp_path / "w.duckdb")])
    assert excinfo.value.code == 2
    assert "must be one of auto, always, skip, not 'never' (from CSW_UNIT_TESTS)" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()


def test_unit_tests_count_as_verified_only_by_a_passed_build_that_ran_them_on_the_same_code(tmp_path: Path):
    from csw.buildstate import record_build_end, record_build_start, unit_tests_verified_by

    db = tmp_path / "w.duckdb"
    assert unit_tests_verified_by(db, "code1") is None  # no warehouse yet
    skipped = record_build_start(db, tmp_path, None, "code1", "skipped")
    record_build_end(db, skipped, True, [])
    failed = record_build_start(db, tmp_path, None, "code1", "ran")
    record_build_end(db, failed, False, ["unit_test.x"])
    assert unit_tests_verified_by(db, "code1") is None
    ran = record_build_start(db, tmp_path, None, "code1", "ran")
    record_build_end(db, ran, True, [])
    assert unit_tests_verified_by(db, "code1") == ran
    assert unit_tests_verified_by(db, "code2") is None


def test_only_macro_messages_for_the_console_are_printed():
    """dbt runs under --quiet; of the project macros' info messages, `csw build` prints those that
    start with csw.runner.CONSOLE_PREFIX (the raw load's summary), without the prefix."""
    from types import SimpleNamespace

    from rich.console import Console

    from csw.runner import CONSOLE_PREFIX, _ProgressListener

    console = Console(record=True, width=200)
    listener = _ProgressListener(console, None)
    for msg in (f"{CONSOLE_PREFIX}Raw load: 1 new file(s), 3 rows", "Loaded raw file a.csv into raw.x (3 rows)"):
        listener(SimpleNamespace(info=SimpleNamespace(name="JinjaLogInfo", level="info", msg=msg), data=None))
    printed = console.export_text()
    assert printed.splitlines() == ["Raw load: 1 new file(s), 3 rows"]
    assert listener.errors == []
    assert len(listener.messages) == 2  # both still in the build's text
