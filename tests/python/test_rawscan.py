"""csw.rawscan: a large quote-free CSV counted in parts on worker processes gives the header and
record count of the one-piece scan, and any file it cannot count that way (a quote, a ragged row,
an empty line, bytes that are not UTF-8) gets the one-piece scan's answer or error, line included."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from csw import rawscan
from csw.rawscan import RawInputError, parallel_scans, scan_csv

HEADER = "workspace_id,usage_date,active_users\n"


@contextmanager
def in_parts():
    """Within the block every file counts as large, on two worker processes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rawscan, "PARALLEL_SCAN_BYTES", 0)
        with parallel_scans(workers=2):
            yield


def _write(path: Path, text: str, newline: str = "\n") -> str:
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return str(path)


def _rows(n: int, start: int = 0) -> str:
    return "".join(f"WS-{i:05d},2025-01-{i % 28 + 1:02d},{i % 7}\n" for i in range(start, start + n))


def _scan(path: str) -> tuple[list[str], int] | str:
    """scan_csv's answer, or its error message."""
    try:
        return scan_csv(path)
    except RawInputError as exc:
        return str(exc)


COLUMNS = ["workspace_id", "usage_date", "active_users"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_quote_free_file_is_counted_in_parts_as_in_one_piece(tmp_path, newline):
    path = _write(tmp_path / "usage.csv", "\ufeff" + HEADER + _rows(5000), newline)
    assert _scan(path) == (COLUMNS, 5000)
    with in_parts():
        assert rawscan._scan_csv_in_parts(path) == (COLUMNS, 5000)
        assert _scan(path) == (COLUMNS, 5000)


def test_no_line_end_after_the_last_record(tmp_path):
    path = _write(tmp_path / "usage.csv", HEADER + _rows(999) + "WS-x,2025-02-01,3")
    with in_parts():
        assert rawscan._scan_csv_in_parts(path) == (COLUMNS, 1000)


@pytest.mark.parametrize("bad, expected", [
    ("WS-bad,2025-01-01\n", "line 4002: 2 fields where the header has 3 (a ragged row)"),
    ("\n", "line 4002: 0 fields where the header has 3 (a ragged row, or an empty line)"),
])
def test_a_problem_in_a_later_part_gets_the_one_piece_message(tmp_path, bad, expected):
    path = _write(tmp_path / "usage.csv", HEADER + _rows(4000) + bad + _rows(1000, 4000))
    message = _scan(path)
    assert expected in message
    with in_parts():
        assert rawscan._scan_csv_in_parts(path) is None
        assert _scan(path) == message


def test_quoted_line_ends_are_counted_in_one_piece(tmp_path):
    """A quote anywhere: a part could start inside a quoted field, so the file is scanned whole."""
    quoted = 'WS-q,2025-01-01,"1\n2"\n'
    path = _write(tmp_path / "usage.csv", HEADER + _rows(3000) + quoted + _rows(3000, 3000))
    with in_parts():
        assert rawscan._scan_csv_in_parts(path) is None
        assert _scan(path) == (COLUMNS, 6001)


def test_bytes_that_are_not_utf8_get_the_one_piece_error(tmp_path):
    path = tmp_path / "usage.csv"
    path.write_bytes((HEADER + _rows(4000)).encode() + b"WS-\xff,2025-01-01,1\n" + _rows(10).encode())
    message = _scan(str(path))
    assert "is not UTF-8 text" in message
    with in_parts():
        assert rawscan._scan_csv_in_parts(str(path)) is None
        assert _scan(str(path)) == message
