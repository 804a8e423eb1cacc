"""Daily product usage per workspace, produced in chunks of lives (it is the largest table).

Every day of a trial or paid life gets binomial active users out of the
seats in force; weekends are quiet; lives that show churn signals fade over
their warning window; some healthy accounts have a temporary dip so the
signal is not perfect. Rows only where active_users > 0.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from .calendar import days
from .engagement import Context
from .lives import ANALYTICS

CHUNK_LIVES = 4000


def _seats(ctx: Context, life: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Quantity of the core segment in force on each (life, day)."""
    ch = ctx.book.charges
    core = ch[(ch["product"] < ANALYTICS) & (ch["charge_type"] == "recurring")].sort_values(["life", "eff_from"])
    base = np.int64(1 << 20)
    seg_key = core["life"].to_numpy() * base + days(core["eff_from"]).astype(np.int64)
    day_key = life * base + day.astype(np.int64)
    pos = np.clip(np.searchsorted(seg_key, day_key, side="right") - 1, 0, None)
    return core["quantity"].to_numpy()[pos]


def _workspaces(seed: int, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Workspaces per account (one, or two split 70/30) and each account's base utilization."""
    rng = np.random.default_rng([seed, 17])
    two = rng.random(len(ctx.accounts)) < 0.08
    return np.where(two, 2, 1), rng.beta(6, 3, len(ctx.accounts))


def usage_chunks(seed: int, ctx: Context) -> Iterator[dict]:
    """Typed usage columns, one dict per chunk of lives (deterministic per seed and chunk)."""
    lives = ctx.linked_lives
    n_ws, util = _workspaces(seed, ctx)
    for k, start in enumerate(range(0, len(lives), CHUNK_LIVES)):
        rng = np.random.default_rng([seed, 31, k])
        yield _chunk(rng, ctx, lives.iloc[start: start + CHUNK_LIVES], n_ws, util)


def _chunk(rng: np.random.Generator, ctx: Context, lives: pd.DataFrame, n_ws: np.ndarray,
           util: np.ndarray) -> dict:
    """Usage rows of one chunk of lives."""
    svc_from, svc_to = days(lives["svc_from"]), days(lives["svc_to"])
    length = (svc_to - svc_from).astype(np.int64)
    row = np.repeat(np.arange(len(lives)), length)
    day = svc_from[row] + (np.arange(len(row)) - np.repeat(np.cumsum(length) - length, length))
    acct = lives["acct"].to_numpy()[row]
    ws_count = n_ws[acct]
    row = np.repeat(np.arange(len(day)), ws_count)
    ws = np.arange(len(row)) - np.repeat(np.cumsum(ws_count) - ws_count, ws_count)
    day, acct, life_row = day[row], acct[row], np.repeat(np.repeat(np.arange(len(lives)), length), ws_count)
    seats = _seats(ctx, lives.index.to_numpy()[life_row], day)
    seats = np.where(ws_count[row] == 2, np.where(ws == 0, np.ceil(seats * 0.7), np.floor(seats * 0.3)), seats)
    weekday = (day.astype(np.int64) + 3) % 7
    p = util[acct] * np.where(weekday < 5, 1.0, 0.12) * _fade(lives, life_row, day) * _dip(rng, acct, day)
    p = np.clip(p * rng.normal(1, 0.08, len(day)), 0, 1)
    active = rng.binomial(seats.astype(np.int64), p)
    keep = active > 0
    active = active[keep]
    return {
        "workspace_id": _workspace_names(len(ctx.accounts)).take(pa.array(acct[keep] * 2 + ws[keep])),
        "crm_account_id": pa.array(ctx.accounts["account_id"].to_numpy(str)).take(pa.array(acct[keep])),
        "usage_date": day[keep],
        "active_users": active,
        "sessions": np.round(active * rng.uniform(1.0, 3.0, len(active))).astype(np.int64),
        "key_feature_events": rng.poisson(active * 1.5),
    }


def _workspace_names(n_accounts: int) -> pa.Array:
    """'WS-<account number>-<k>' for k = 1, 2 of every account, at index 2 * account + k - 1."""
    number = np.char.zfill(np.repeat(np.arange(1, n_accounts + 1), 2).astype(str), 7)
    return pa.array(np.char.add(np.char.add("WS-", number), np.tile(["-1", "-2"], n_accounts)))


def _fade(lives: pd.DataFrame, life_row: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Fade to 25% across the warning window of signalling lives, fastest at its start; 1 elsewhere."""
    lo = days(lives["warn_from"])[life_row]
    hi = days(lives["warn_to"])[life_row]
    inside = (day >= lo) & (day < hi)
    span = np.maximum((hi - lo).astype(np.int64), 1)
    frac = np.where(inside, (day - lo).astype(np.int64) / span, 0.0)
    return 1 - 0.75 * np.sqrt(frac)


def _dip(rng: np.random.Generator, acct: np.ndarray, day: np.ndarray) -> np.ndarray:
    """A 60-day dip to 60% at a random time for about 10% of accounts (noise for the health score)."""
    n_acct = int(acct.max()) + 1
    dipper = rng.random(n_acct) < 0.1
    dip_from = rng.integers(0, 1100, n_acct) + int(day.min().astype(np.int64))
    offset = day.astype(np.int64) - dip_from[acct]
    return np.where(dipper[acct] & (offset >= 0) & (offset < 60), 0.6, 1.0)
