"""Raw tables as columns of text, and a fast CSV writer.

Builders hand typed numpy columns to :func:`format_table`; from then on a
table is text (so a bad row can hold ``n/a`` in a number column) plus the
numeric ``_loaded_at`` that the fault injector orders extracts by.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import DAY, OPEN
from .schema import TableSpec

CHUNK_ROWS = 1_000_000
OFFSETS = np.array([0, 9 * 60, -5 * 60])  # minutes: Z, +09:00, -05:00
OFFSET_SUFFIX = np.array(["Z", "+09:00", "-05:00"])
OFFSET_P = [0.85, 0.10, 0.05]
_TOD = None


@dataclass
class RawTable:
    """A raw table in text form; ``loaded`` is ``_loaded_at`` in epoch seconds."""

    spec: TableSpec
    cols: dict[str, pa.Array]
    loaded: np.ndarray

    def __len__(self) -> int:
        return len(self.loaded)

    def take(self, idx: np.ndarray) -> RawTable:
        """Rows at ``idx`` (a copy)."""
        ia = pa.array(idx, pa.int64())
        return RawTable(self.spec, {c: a.take(ia) for c, a in self.cols.items()}, self.loaded[idx])

    def with_column(self, name: str, values: pa.Array | str | None) -> RawTable:
        """The same rows with column ``name`` replaced by an array or one value (None = NULL)."""
        arr = values if isinstance(values, pa.Array) else pa.repeat(pa.scalar(values, pa.string()), len(self))
        return replace(self, cols={**self.cols, name: arr})

    def with_loaded(self, loaded: np.ndarray, offsets: np.ndarray | None = None) -> RawTable:
        """The same rows extracted at other times (optionally shown with UTC offsets)."""
        text = format_ts(loaded, np.zeros(len(loaded), int) if offsets is None else offsets)
        return replace(self, cols={**self.cols, "_loaded_at": text}, loaded=np.asarray(loaded))

    @staticmethod
    def concat(parts: list[RawTable]) -> RawTable:
        """Rows of all parts, in order."""
        spec = parts[0].spec
        cols = {c: pa.concat_arrays([p.cols[c] for p in parts]) for c in spec.column_names}
        return RawTable(spec, cols, np.concatenate([p.loaded for p in parts]))


def text(values) -> pa.Array:
    """One contiguous string array (pyarrow splits big numpy conversions into chunks)."""
    arr = pa.array(values, pa.string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _tod_table() -> pa.Array:
    """'THH:MM:SS' for every second of a day."""
    global _TOD
    if _TOD is None:
        s = np.arange(DAY)
        _TOD = pa.array([f"T{h:02d}:{m:02d}:{x:02d}" for h, m, x in zip(s // 3600, s // 60 % 60, s % 60)])
    return _TOD


def _format_days(days: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD' for int day numbers, through a table of the distinct range."""
    if len(days) == 0:
        return pa.array([], pa.string())
    lo, hi = int(days.min()), int(days.max())
    names = text(np.arange(lo, hi + 1).astype("datetime64[D]").astype(str))
    return names.take(pa.array(days - lo))


def format_ts(secs: np.ndarray, offset_code: np.ndarray) -> pa.Array:
    """ISO-8601 text of UTC seconds, shown in the local time of each row's offset."""
    secs = np.asarray(secs, dtype=np.int64)
    local = secs + OFFSETS[offset_code] * 60
    date_part = _format_days(local // DAY)
    time_part = _tod_table().take(pa.array(local % DAY))
    suffix = pa.array(OFFSET_SUFFIX)
    return pc.binary_join_element_wise(date_part, time_part, suffix.take(pa.array(offset_code)), "")


def _scaled(values: np.ndarray, scale: int) -> pa.Array:
    """Decimal text of integers divided by 10**scale."""
    dec = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.decimal128(20, 0))
    unit = pa.scalar(Decimal(1).scaleb(-scale), pa.decimal128(scale + 1, scale))
    return pc.multiply(dec, unit).cast(pa.string())


def _format_percent(bp: np.ndarray) -> pa.Array:
    """Integer percent when whole, else 2 decimals (basis points in)."""
    whole = pa.array(bp // 100).cast(pa.string())
    return pc.if_else(pa.array(bp % 100 == 0), whole, _scaled(bp, 2))


def _format_column(kind: str, values: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
    """Text of one typed column and the rows that are NULL by value (open dates)."""
    if kind == "s":
        return (values if isinstance(values, pa.Array) else text(values)), None
    if kind == "i":
        return pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string()), None
    if kind == "m":
        return _scaled(values, 2), None
    if kind == "r":
        return _scaled(values, 6), None
    if kind == "p":
        return _format_percent(np.asarray(values, dtype=np.int64)), None
    if kind == "b":
        return pc.if_else(pa.array(np.asarray(values, dtype=bool)), "true", "false"), None
    if kind == "d":
        days = values.astype("datetime64[D]")
        null = np.isnat(days) | (days == OPEN)
        ints = np.where(null, 0, days.astype(np.int64))
        return _format_days(ints), null
    raise ValueError(kind)


def format_table(spec: TableSpec, data: dict, loaded: np.ndarray, rng: np.random.Generator) -> RawTable:
    """Text table from typed columns.

    ``data`` maps column -> array (a text column may already be a pyarrow array), or
    -> (array, null mask). Timestamp columns
    of a row share one UTC offset (mostly ``Z``); ``_loaded_at`` is always UTC.
    """
    n = len(loaded)
    offset = rng.choice(3, size=n, p=OFFSET_P)
    cols = {}
    for name, kind in spec.columns:
        values, null = data[name] if isinstance(data[name], tuple) else (data[name], None)
        values = values if isinstance(values, pa.Array) else np.asarray(values)
        if kind == "t":
            out, by_value = format_ts(values, offset), None
        else:
            out, by_value = _format_column(kind, values)
        masks = [m for m in (null, by_value) if m is not None]
        if masks:
            out = pc.if_else(pa.array(np.logical_or.reduce(masks)), pa.scalar(None, pa.string()), out)
        cols[name] = out
    table = RawTable(spec, cols, np.asarray(loaded, dtype=np.int64))
    table = table.with_loaded(table.loaded)
    return table.with_column("_is_deleted", "false")


def _quoted(arr: pa.Array) -> pa.Array:
    """CSV-quote the values that need it (comma, quote, line break)."""
    needs = pc.match_substring_regex(arr, '[,"\\n\\r]')
    if not pc.any(needs).as_py():
        return arr
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(needs, escaped, arr)


def _csv_lines(table: RawTable, start: int, stop: int) -> memoryview:
    """CSV bytes of rows [start, stop)."""
    text = {c for c, kind in table.spec.columns if kind == "s"}
    cols = [table.cols[c].slice(start, stop - start) for c in table.spec.column_names]
    cols = [_quoted(a) if c in text else a for c, a in zip(table.spec.column_names, cols)]
    lines = pc.binary_join_element_wise(*cols, ",", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, "", "\n")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset: lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0]: offsets[-1]]


class CsvWriter:
    """Append raw tables to one CSV file (header once)."""

    def __init__(self, path: Path, spec: TableSpec):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "wb")
        self._file.write((",".join(spec.column_names) + "\n").encode())

    def write(self, table: RawTable) -> None:
        for start in range(0, len(table), CHUNK_ROWS):
            self._file.write(_csv_lines(table, start, min(start + CHUNK_ROWS, len(table))))

    def close(self) -> None:
        self._file.close()
