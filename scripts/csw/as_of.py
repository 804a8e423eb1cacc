"""The range of as-of dates the raw data supports, checked before dbt starts.

metrics.md: months run to the as-of month, by default the date of the latest
`_loaded_at` in billing.subscription_charges. An as-of date before the first
charge starts would build an empty warehouse, and one after the latest extract
would project open-ended MRR into months nobody has seen: both are refused with
the data's range, before any model runs. The same rule is enforced in dbt by
`int_as_of` (on staged rows, to the day) for plain `dbt build --vars` users;
this pre-flight reads the raw file directly and only refuses what is outside
for certain (it compares calendar dates, ignoring offsets, with a day's slack).
Dates staging quarantines for certain are ignored: a year outside 1900-2200 and a
`_loaded_at` after tomorrow (fault matrix, `as_of_*` cases).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

TABLE = ("billing", "subscription_charges")
COLUMNS = ["effective_from", "_loaded_at"]


def _files(raw_dir: Path) -> list[Path]:
    """The raw files of billing.subscription_charges: one file, or a folder of extracts."""
    base = raw_dir / TABLE[0]
    single = [base / f"{TABLE[1]}.{ext}" for ext in ("csv", "parquet")]
    folder = base / TABLE[1]
    found = [p for p in single if p.is_file()]
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".parquet") and p.is_file())
    return found


def _read(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path, columns=COLUMNS)
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            include_columns=COLUMNS, column_types={c: pa.string() for c in COLUMNS}),
    )


# Staging's plausible years (macro csw_implausible_datetime): other dates are quarantined there, and
# Python cannot even hold year 0000 (pyarrow parses it, then `to_pylist` overflowed).
PLAUSIBLE_YEARS = ("1900", "2200")


def _dates(column: pa.ChunkedArray) -> list[date]:
    text = pc.utf8_slice_codeunits(pc.cast(column, pa.string()), 0, 10)
    year = pc.utf8_slice_codeunits(text, 0, 4)
    plausible = pc.and_(pc.greater_equal(year, PLAUSIBLE_YEARS[0]), pc.less_equal(year, PLAUSIBLE_YEARS[1]))
    parsed = pc.strptime(pc.if_else(plausible, text, None), format="%Y-%m-%d", unit="s", error_is_null=True)
    return [d.date() for d in parsed.to_pylist() if d is not None]


def data_range(raw_dir: Path) -> tuple[date, date] | None:
    """(first effective_from, latest _loaded_at date) of the raw charges; None when unreadable."""
    firsts, lasts = [], []
    for path in _files(raw_dir):
        try:
            table = _read(path)
        except (OSError, pa.ArrowInvalid, KeyError):
            return None  # the loader reports a bad file with its name and line
        firsts += _dates(table["effective_from"])
        lasts += _dates(table["_loaded_at"])
    # A _loaded_at after the run is quarantined out_of_range:_loaded_at in staging (csw_loaded_at_limit):
    # it must not widen the range either (a row stamped 2099 let --as-of 2090 through to dbt).
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    lasts = [d for d in lasts if d <= tomorrow]
    if not firsts or not lasts:
        return None
    return min(firsts), max(lasts)


def as_of_problem(raw_dir: Path, as_of: date) -> str | None:
    """A one-line refusal when ``as_of`` is certainly outside the data, else None."""
    bounds = data_range(raw_dir)
    if bounds is None:
        return None
    first, last = bounds
    if as_of < first - timedelta(days=1) or as_of > last + timedelta(days=1):
        return (
            f"--as-of {as_of.isoformat()} is outside the data: billing.subscription_charges runs from "
            f"{first.isoformat()} (first effective_from) to {last.isoformat()} (latest _loaded_at); "
            "choose an as-of date in that range"
        )
    return None
