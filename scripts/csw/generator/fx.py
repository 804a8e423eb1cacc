"""Daily exchange rates: a random walk per currency, published on weekdays only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import Window

START_RATE = {"CAD": 0.73, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067}


def make_rates(rng: np.random.Generator, window: Window) -> pd.DataFrame:
    """usd_per_unit in millionths per (currency, rate_date); no rows on weekends and a few holidays.

    USD has no rows: its rate is 1 by definition.
    """
    days = np.arange(window.start - 14, window.end + 1)
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    published = (weekday < 5) & (rng.random(len(days)) > 0.02)
    days = days[published]
    frames = []
    for cur, rate in START_RATE.items():
        walk = np.cumsum(rng.normal(0, 0.004, len(days)))
        e6 = np.maximum(1, np.round(rate * np.exp(walk) * 1e6)).astype(np.int64)
        frames.append(pd.DataFrame({"rate_date": days, "currency": cur, "usd_per_unit": e6}))
    return pd.concat(frames, ignore_index=True)
