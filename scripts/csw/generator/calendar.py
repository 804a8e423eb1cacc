"""Date helpers on numpy arrays.

Dates are ``datetime64[D]``; an open end (NULL in the raw files) is the
sentinel :data:`OPEN`, so ``np.minimum`` gives ``least(...)`` with NULL = open.
Timestamps are int64 seconds since the epoch, UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

DAY = 86_400
OPEN = np.datetime64("9999-12-31", "D")


def days(values) -> np.ndarray:
    """Dates of a pandas column or array as ``datetime64[D]`` (pandas stores them in seconds)."""
    return np.asarray(values).astype("datetime64[D]")


def month_of(dates: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of each date."""
    return dates.astype("datetime64[M]").astype(np.int64)


def month_start(months: np.ndarray) -> np.ndarray:
    """First day of each month index."""
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]")


def add_months(dates: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """Add ``k`` calendar months, clipping the day to the target month's end."""
    m = dates.astype("datetime64[M]")
    day = dates - m.astype("datetime64[D]")
    target = m + np.asarray(k, dtype=np.int64)
    last = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + day, last)


def day_secs(dates: np.ndarray) -> np.ndarray:
    """Midnight UTC of each date, in epoch seconds."""
    return dates.astype("datetime64[s]").astype(np.int64)


def secs_day(secs: np.ndarray) -> np.ndarray:
    """UTC date of each epoch-seconds timestamp."""
    return (np.asarray(secs) // DAY).astype("datetime64[D]")


@dataclass(frozen=True)
class Window:
    """The simulated period: ``months`` whole months ending with as_of's month."""

    as_of: date
    months: int

    @property
    def end(self) -> np.datetime64:
        """The as-of date (last simulated day)."""
        return np.datetime64(self.as_of, "D")

    @property
    def as_of_month(self) -> int:
        return int(month_of(np.array([self.end]))[0])

    @property
    def first_month(self) -> int:
        return self.as_of_month - self.months + 1

    @property
    def start(self) -> np.datetime64:
        """First simulated day."""
        return month_start(np.array([self.first_month]))[0]

    @property
    def days(self) -> int:
        """Number of simulated days."""
        return int((self.end - self.start).astype(int)) + 1

    def extract_at(self, hour: int) -> int:
        """Epoch seconds of the final extract, on the as-of day at ``hour`` UTC."""
        return int(day_secs(np.array([self.end]))[0]) + hour * 3600
