"""SQL literals written into DuckDB/Postgres statements: one place that quotes a value."""

from __future__ import annotations

import math
import os
from datetime import date, datetime
from decimal import Decimal


def literal(value: object) -> str:
    """``value`` as a SQL literal: text and paths in single quotes (a quote doubled), None as NULL,
    booleans, numbers, dates (``DATE '2026-01-31'``) and timestamps (``TIMESTAMP``/``TIMESTAMPTZ``)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"no SQL literal for a non-finite number: {value!r}")
        return format(value, "f")  # no exponent: 1E+3 -> 1000
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no SQL literal for a non-finite number: {value!r}")
        return repr(value)
    if isinstance(value, datetime):  # before date: a datetime is a date
        kind = "TIMESTAMPTZ" if value.tzinfo is not None else "TIMESTAMP"
        return f"{kind} '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, bytes):
            raise TypeError(f"no SQL literal for a bytes path: {value!r}")
        return "'" + text.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}: {value!r}")
