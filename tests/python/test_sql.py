"""csw.sql.literal: every value written into SQL by hand goes through one quoting rule."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from csw.sql import literal


@pytest.mark.parametrize("value, sql", [
    (None, "NULL"),
    (True, "TRUE"),
    (False, "FALSE"),
    (42, "42"),
    (-7, "-7"),
    (1.5, "1.5"),
    (Decimal("1E+3"), "1000"),
    (Decimal("12.340"), "12.340"),
    ("plain", "'plain'"),
    ("it's", "'it''s'"),
    ("''", "''''''"),
    ("", "''"),
    (Path("/tmp/o'brien/x.csv"), "'/tmp/o''brien/x.csv'"),
    (date(2026, 1, 31), "DATE '2026-01-31'"),
    (datetime(2026, 1, 31, 12, 30), "TIMESTAMP '2026-01-31 12:30:00'"),
    (datetime(2026, 1, 31, 12, 30, tzinfo=timezone.utc), "TIMESTAMPTZ '2026-01-31 12:30:00+00:00'"),
])
def test_literal_text(value: object, sql: str):
    assert literal(value) == sql


@pytest.mark.parametrize("value", [None, True, 42, 1.5, Decimal("12.340"), "it's", "a'';--b", "\\n'\"",
                                   date(2026, 1, 31), datetime(2026, 1, 31, 12, 30)])
def test_duckdb_reads_the_value_back(value: object):
    with duckdb.connect() as con:
        assert con.execute(f"select {literal(value)}").fetchone()[0] == value


@pytest.mark.parametrize("value, error", [(float("nan"), ValueError), (float("inf"), ValueError),
                                          (Decimal("NaN"), ValueError), (b"bytes", TypeError),
                                          (object(), TypeError)])
def test_literal_refuses_what_it_cannot_write(value: object, error: type[Exception]):
    with pytest.raises(error):
        literal(value)
