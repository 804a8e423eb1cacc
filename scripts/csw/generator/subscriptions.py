"""Subscriptions and charge segments from the lives of every billing account (with win-backs)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import lives as lv
from .calendar import OPEN, Window, add_months, days
from .ids import ids

PERIOD_NAME = {1: "month", 3: "quarter", 12: "year"}


@dataclass
class Book:
    """The billing truth: lives, subscriptions and charges with their raw ids."""

    lives: pd.DataFrame
    subscriptions: pd.DataFrame
    charges: pd.DataFrame


def _win_backs(rng: np.random.Generator, first: pd.DataFrame, ba: pd.DataFrame, window: Window):
    """Billing accounts and start dates of lives that come back after a churn (gap >= 1 month)."""
    churned = first["churned"].to_numpy()
    p = np.where(first["involuntary"].to_numpy(), 0.2, 0.35)
    back = churned & (rng.random(len(first)) < p)
    start = add_months(days(first["canceled_on"]), 1) + rng.integers(0, 200, len(first))
    back &= start <= window.end
    return ba.iloc[first["ba_idx"].to_numpy()[back]], start[back]


def _play_all(rng: np.random.Generator, billing_accounts: pd.DataFrame, window: Window):
    """First lives for every billing account, then win-back lives; one global life numbering."""
    ba = billing_accounts[["currency", "size"]].assign(ba_idx=np.arange(len(billing_accounts)))
    first, cross1 = lv.simulate(rng, ba, days(billing_accounts["start"]), window, allow_trial=True)
    wb_ba, wb_start = _win_backs(rng, first.lives, ba, window)
    second, cross2 = lv.simulate(rng, wb_ba, wb_start, window, allow_trial=False)
    offset = len(first.lives)
    shift = (lambda df: df.assign(life=df["life"] + offset))
    lives = pd.concat([first.lives, second.lives], ignore_index=True)
    segments = pd.concat([first.segments, shift(second.segments)], ignore_index=True)
    closures = pd.concat([first.closures, shift(second.closures)], ignore_index=True)
    cross = pd.concat([cross1, shift(cross2)], ignore_index=True)
    return lives, segments, closures, cross


def _end_of_subscriptions(subs: pd.DataFrame, lives: pd.DataFrame, closures: pd.DataFrame,
                          cross: pd.DataFrame) -> pd.DataFrame:
    """canceled_on and cancel_reason of every (life, seq)."""
    life = lives.loc[subs["life"]].reset_index(drop=True)
    trial_reason = np.where(life["reason"] == "payment_failed", "no_longer_needed", life["reason"])
    canceled = np.where(life["churned"], life["canceled_on"], OPEN)
    canceled = np.where(life["trial_lost"], life["trial_end"], canceled)
    reason = np.where(life["churned"], life["reason"], None)
    reason = np.where(life["trial_lost"], trial_reason, reason)
    out = subs.assign(canceled_on=canceled, cancel_reason=reason)
    keyed = out.set_index(["life", "seq"])
    closed = closures.set_index(["life", "seq"])
    keyed.loc[closed.index, ["canceled_on", "cancel_reason"]] = closed[["canceled_on", "cancel_reason"]].to_numpy()
    dropped = cross[cross["dropped"]]
    idx = pd.MultiIndex.from_arrays([dropped["life"], np.full(len(dropped), lv.CROSS_SELL_SEQ)])
    keyed.loc[idx, "canceled_on"] = dropped["drop_on"].to_numpy()
    keyed.loc[idx, "cancel_reason"] = "no_longer_needed"
    return keyed.reset_index()


def _status(subs: pd.DataFrame, lives: pd.DataFrame, window: Window) -> np.ndarray:
    """trialing / active / past_due / canceled as of the as-of date."""
    life = lives.loc[subs["life"]].reset_index(drop=True)
    canceled = subs["canceled_on"].to_numpy() <= window.end
    in_trial = life["has_trial"].to_numpy() & ~life["converts"].to_numpy() & ~life["trial_lost"].to_numpy()
    live_main = (subs["seq"].to_numpy() == life["last_seq"].to_numpy()) | (subs["seq"].to_numpy() == lv.CROSS_SELL_SEQ)
    past_due = life["past_due"].to_numpy() & live_main & ~canceled
    return np.select([canceled, past_due, in_trial], ["canceled", "past_due", "trialing"], "active")


def build_book(rng: np.random.Generator, billing_accounts: pd.DataFrame, window: Window) -> Book:
    """Simulate all lives and lay them out as raw subscriptions and charges."""
    lives, segments, closures, cross = _play_all(rng, billing_accounts, window)
    segments = segments[segments["eff_from"] <= window.end]
    subs = segments.groupby(["life", "seq"], as_index=False).agg(started_on=("eff_from", "min"))
    subs = _end_of_subscriptions(subs, lives, closures, cross)
    subs["ba_idx"] = lives["ba_idx"].to_numpy()[subs["life"]]
    subs = subs.sort_values(["ba_idx", "started_on", "life", "seq"], kind="stable", ignore_index=True)
    subs["subscription_id"] = ids("SUB-", len(subs), 7)
    subs["billing_account_id"] = billing_accounts["billing_account_id"].to_numpy()[subs["ba_idx"]]
    subs["status"] = _status(subs, lives, window)
    sub_idx = pd.Series(np.arange(len(subs)), index=pd.MultiIndex.from_frame(subs[["life", "seq"]]))
    charges = segments.assign(sub_idx=sub_idx.loc[pd.MultiIndex.from_frame(segments[["life", "seq"]])].to_numpy())
    charges = charges.sort_values(["sub_idx", "eff_from", "product", "charge_type"], kind="stable", ignore_index=True)
    charges["charge_id"] = ids("CHG-", len(charges), 8)
    charges["subscription_id"] = subs["subscription_id"].to_numpy()[charges["sub_idx"]]
    charges["product_id"] = np.array([p[0] for p in lv.PRODUCTS])[charges["product"]]
    charges["billing_period"] = charges["months"].map(PERIOD_NAME)
    charges["canceled_on"] = subs["canceled_on"].to_numpy()[charges["sub_idx"]]
    return Book(lives, subs, charges)
