"""Check and count the records of a raw CSV file in the stated dialect (docs/spec/raw_sources.md,
"Files"): UTF-8 with an optional BOM, comma, `"` quote doubled to escape, a header row, no comment
character, CR, LF or CRLF line ends. Part of the raw loader's plan (csw.rawfiles).

`scan_csv(path)` returns the header and the number of data records, or raises RawInputError naming
the file and the line of the first problem (a ragged row, an unterminated quote, bytes that are not
UTF-8). Python's `csv` module is the checker (DECISIONS.md, "Raw files are checked by Python, read
by the engine"). Inside `parallel_scans()`, a large file without any quote character is counted in
parts by worker processes (every line end is then a record end, so the file splits at any LF);
a part that finds a quote or a width other than the header's makes the file scanned again in one
process, which names the line. At 100k accounts the plan's scans were 45 s in one process, most
of it the 3 GB usage file.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Iterator

PARALLEL_SCAN_BYTES = 64 << 20  # a smaller file is scanned in one piece
_BLOCK_BYTES = 1 << 20  # what a worker reads at a time
_LINE_LIMIT = 1 << 20  # a header or a line to skip longer than this: scanned in one piece
# The stated CSV dialect, for every reader here: comma, `"` quote doubled to escape, strict.
DIALECT = dict(delimiter=",", quotechar='"', doublequote=True, strict=True)
_pool: Executor | None = None
_workers = 1


class RawInputError(RuntimeError):
    """A raw file or a documented column is missing or unreadable; the message names it."""


@contextmanager
def parallel_scans(workers: int | None = None) -> Iterator[None]:
    """Within the block, `scan_csv` counts a large quote-free file in parts on `workers` processes
    (default: the CPUs this process may use, at most 4). Spawned, not forked: the caller runs
    inside DuckDB, whose threads a fork would copy mid-flight."""
    global _pool, _workers
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    count = workers or min(usable, 4)
    if count < 2 or _pool is not None:
        yield
        return
    _pool, _workers = ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")), count
    try:
        yield
    finally:
        pool, _pool, _workers = _pool, None, 1
        pool.shutdown(cancel_futures=True)


@contextmanager
def _csv_reader(path: str) -> Iterator:
    """A csv.reader over `path` in the stated dialect (UTF-8, optional BOM, comma, double quotes
    escaped by doubling, strict)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        yield csv.reader(f, **DIALECT)


def scan_csv(path: str) -> tuple[list[str], int]:
    """(header, number of data records) of a CSV in the stated dialect; RawInputError with the line.

    Fast path: the records' widths counted at C speed (no Python per record), in parts when a pool
    is open and the file is large and has no quote, else in one piece; a file with any problem is
    scanned again record by record (`_scan_csv_lines`) for the message with its line."""
    if _pool is not None and os.path.getsize(path) >= PARALLEL_SCAN_BYTES:
        counted = _scan_csv_in_parts(path)
        if counted is not None:
            return counted
    try:
        with _csv_reader(path) as reader:
            header = next(reader, None)
            widths = Counter(map(len, reader))
        if header is not None and set(widths) <= {len(header)}:
            return header, widths[len(header)]
    except (csv.Error, UnicodeDecodeError):
        pass
    return _scan_csv_lines(path)


def _scan_csv_in_parts(path: str) -> tuple[list[str], int] | None:
    """The fast path on the pool: the header from the first line, then the rest cut at LFs into one
    part per worker. None when the header line holds a quote, a part holds a quote or a record
    whose width is not the header's, or anything fails to decode: the caller scans the file in one
    piece, which accepts or names the problem exactly as without a pool."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        first = f.readline(_LINE_LIMIT)
        starts = [f.tell()]
        for i in range(1, _workers):
            f.seek(max(starts[-1], size * i // _workers))
            skipped = f.readline(_LINE_LIMIT)  # to the start of the next line
            if not skipped.endswith(b"\n") and f.tell() < size:
                return None  # no LF in sight (CR line ends, or a huge line)
            starts.append(f.tell())
    if b'"' in first or not first.endswith(b"\n"):
        return None
    try:
        header = next(csv.reader([first.decode("utf-8-sig").rstrip("\r\n")], **DIALECT))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    ends = starts[1:] + [size]
    widths: Counter = Counter()
    try:
        parts = [_pool.submit(_count_part, path, start, end) for start, end in zip(starts, ends) if end > start]
        for part in parts:
            counted = part.result()
            if counted is None:
                for other in parts:
                    other.cancel()
                return None
            widths.update(counted)
    except (BrokenExecutor, OSError):
        return None  # no worker could start or one died: the one-piece scan still answers
    if not set(widths) <= {len(header)}:
        return None
    return header, widths[len(header)]


class _QuoteFound(Exception):
    pass


class _PartReader(io.RawIOBase):
    """Bytes [start, end) of a file, as a raw stream for io.TextIOWrapper; raises _QuoteFound at
    the first quote character."""

    def __init__(self, path: str, start: int, end: int) -> None:
        self._file = open(path, "rb")
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer)[: self._left]
        read = self._file.readinto(view)
        if view[:read].tobytes().find(b'"') >= 0:
            raise _QuoteFound
        self._left -= read
        return read

    def close(self) -> None:
        self._file.close()
        super().close()


def _count_part(path: str, start: int, end: int) -> Counter | None:
    """Record widths of bytes [start, end) of a quote-free CSV, both at line starts (worker side),
    read as the one-piece scan reads a file; None at the first quote or undecodable byte."""
    try:
        with io.TextIOWrapper(io.BufferedReader(_PartReader(path, start, end), _BLOCK_BYTES),
                              encoding="utf-8", newline="") as text:
            return Counter(map(len, csv.reader(text, **DIALECT)))
    except (_QuoteFound, UnicodeDecodeError, csv.Error):
        return None


def _scan_csv_lines(path: str) -> tuple[list[str], int]:
    """`scan_csv` record by record, naming the line of the first problem."""
    try:
        with _csv_reader(path) as reader:
            try:
                header = next(reader)
            except StopIteration:
                raise RawInputError(f"Raw file {path} is empty: it has no header row") from None
            width = len(header)
            rows = 0
            while True:
                start = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    hint = " (unterminated quote)" if "end of data" in str(exc) else ""
                    raise RawInputError(f"Raw file {path}, line {start}: {exc}{hint}") from None
                if len(record) != width:
                    raise RawInputError(
                        f"Raw file {path}, line {start}: {len(record)} fields where the header has "
                        f"{width} (a ragged row{', or an empty line' if not record else ''})")
                rows += 1
    except UnicodeDecodeError as exc:
        raise RawInputError(f"Raw file {path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    return header, rows
