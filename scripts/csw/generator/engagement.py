"""Signals shared by the non-billing sources, and CRM activities and opportunities.

A *warning window* per CRM account covers the ~3 months before service ends
for lives that show signals; support, surveys and
usage get worse inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .calendar import DAY, OPEN, Window, day_secs, days, month_of, month_start
from .lives import ANALYTICS
from .subscriptions import Book
from .ids import ids

ACTIVITY_TYPES = np.array(["meeting", "call", "qbr", "onsite_visit", "email", "webinar", "training",
                           "in_app_message", "automated_email", "community_post", "community_event"])
ACTIVITY_LABEL = np.char.add(np.char.replace(ACTIVITY_TYPES, "_", " "), ": ")
AUTOMATED = np.isin(ACTIVITY_TYPES, ["in_app_message", "automated_email", "community_post"])
ACTIVITY_P = np.array([  # by size: smb, mid_market, enterprise
    [.03, .04, .0, .0, .12, .05, .03, .35, .30, .05, .03],
    [.08, .10, .03, .01, .30, .10, .08, .12, .10, .05, .03],
    [.20, .18, .08, .05, .20, .05, .08, .05, .05, .03, .03],
])
ACTIVITY_RATE = np.array([0.5, 1.0, 2.0])  # per account-month


@dataclass
class Context:
    """What the non-billing sources need to know about accounts and their lives."""

    window: Window
    accounts: pd.DataFrame
    contacts: pd.DataFrame
    users: pd.DataFrame
    billing_accounts: pd.DataFrame
    book: Book

    @property
    def end_secs(self) -> int:
        """Last second of the as-of day."""
        return int(day_secs(np.array([self.window.end]))[0]) + DAY - 1

    @cached_property
    def linked_lives(self) -> pd.DataFrame:
        """Lives of billing accounts that belong to a CRM account, with service interval and warning window."""
        lives = self.book.lives.assign(acct=self.billing_accounts["account_idx"].to_numpy()[self.book.lives["ba_idx"]])
        lives = lives[lives["acct"] >= 0]
        start = days(lives["start"])
        end = np.where(lives["converts"], days(lives["canceled_on"]),
                       np.where(lives["trial_lost"], days(lives["trial_end"]), OPEN))
        end = np.minimum(end, self.window.end + 1)
        return lives.assign(svc_from=start, svc_to=end, warn_from=days(lives["warn_from"]), warn_to=end)[end > start]

    def risk(self, acct: np.ndarray, secs: np.ndarray) -> np.ndarray:
        """1.0 where the account is inside one of its warning windows at that time, else 0.0."""
        lo, hi = self._warning
        return ((secs >= lo[acct]) & (secs < hi[acct])).astype(float)

    @cached_property
    def _warning(self) -> tuple[np.ndarray, np.ndarray]:
        """Per account, the warning window (epoch seconds) of its latest signalling life; empty if none."""
        lives = self.linked_lives
        lives = lives[lives["signal"].to_numpy()].sort_values("warn_from")
        lo = np.full(len(self.accounts), np.iinfo(np.int64).max)
        hi = np.zeros(len(self.accounts), np.int64)
        lo[lives["acct"].to_numpy()] = day_secs(lives["warn_from"].to_numpy())
        hi[lives["acct"].to_numpy()] = day_secs(lives["warn_to"].to_numpy())
        return lo, hi

    def contact_of(self, rng: np.random.Generator, acct: np.ndarray) -> np.ndarray:
        """Index of a random contact of each account."""
        counts = np.bincount(self.contacts["account_idx"].to_numpy(), minlength=len(self.accounts))
        first = np.cumsum(counts) - counts
        return first[acct] + (rng.random(len(acct)) * counts[acct]).astype(np.int64)


def life_months(lives: pd.DataFrame) -> pd.DataFrame:
    """One row per (life, month) of service, with the seconds the life covers in that month."""
    svc_from, svc_to = days(lives["svc_from"]), days(lives["svc_to"])
    m0, m1 = month_of(svc_from), month_of(svc_to - 1)
    count = m1 - m0 + 1
    row = np.repeat(np.arange(len(lives)), count)
    month = m0[row] + np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    lo = np.maximum(day_secs(month_start(month)), day_secs(svc_from[row]))
    hi = np.minimum(day_secs(month_start(month + 1)), day_secs(svc_to[row]))
    return pd.DataFrame({"life_row": row, "acct": lives["acct"].to_numpy()[row], "month": month,
                         "from_secs": lo, "to_secs": hi})


def events_in(rng: np.random.Generator, grid: pd.DataFrame, rate: np.ndarray) -> pd.DataFrame:
    """Poisson events per grid row (rate per full month), at uniform times inside the row's interval."""
    share = (grid["to_secs"] - grid["from_secs"]).to_numpy() / (30.44 * DAY)
    n = rng.poisson(rate * share)
    row = np.repeat(np.arange(len(grid)), n)
    lo, hi = grid["from_secs"].to_numpy()[row], grid["to_secs"].to_numpy()[row]
    secs = lo + (rng.random(len(row)) * (hi - lo)).astype(np.int64)
    return grid.iloc[row].reset_index(drop=True).assign(secs=secs)


def make_activities(rng: np.random.Generator, ctx: Context) -> pd.DataFrame:
    """Touchpoints of every activity type; prospects get three months of sales touches."""
    lives = ctx.linked_lives
    prospects = ctx.accounts[ctx.accounts["is_prospect"]]
    p_from = days(prospects["start"])
    sales = pd.DataFrame({"acct": prospects.index.to_numpy(), "svc_from": p_from,
                          "svc_to": np.minimum(p_from + 90, ctx.window.end + 1)})
    grid = life_months(pd.concat([lives[["acct", "svc_from", "svc_to"]], sales], ignore_index=True))
    size = ctx.accounts["size"].to_numpy()[grid["acct"]]
    ev = events_in(rng, grid, ACTIVITY_RATE[size])
    ev_size = ctx.accounts["size"].to_numpy()[ev["acct"]]
    cum = np.cumsum(ACTIVITY_P[ev_size], axis=1)
    kind = (rng.random((len(ev), 1)) > cum).sum(axis=1).clip(max=len(ACTIVITY_TYPES) - 1)
    owner = ctx.accounts["owner_user_id"].to_numpy()[ev["acct"]]
    other = rng.choice(ctx.users["user_id"].to_numpy(), len(ev))
    user = np.where(AUTOMATED[kind], None, np.where(pd.isna(owner) | (rng.random(len(ev)) < 0.3), other, owner))
    contact = ctx.contacts["contact_id"].to_numpy()[ctx.contact_of(rng, ev["acct"].to_numpy())]
    contact = np.where(rng.random(len(ev)) < 0.8, contact, None)
    name = ctx.accounts["account_name"].to_numpy(str)[ev["acct"]]
    subject = np.char.add(ACTIVITY_LABEL[kind], name)
    out = pd.DataFrame({"account_id": ctx.accounts["account_id"].to_numpy()[ev["acct"]], "contact_id": contact,
                        "user_id": user, "activity_type": ACTIVITY_TYPES[kind], "occurred_at": ev["secs"].to_numpy(),
                        "subject": subject})
    out = out.sort_values(["occurred_at", "account_id"], kind="stable", ignore_index=True)
    out.insert(0, "activity_id", ids("ACT-", len(out), 8))
    return out


def make_opportunities(rng: np.random.Generator, ctx: Context) -> pd.DataFrame:
    """Deals: won new business per paid life, lost or open ones for prospects, cross-sells,
    seat upsells, lost renewals at voluntary churn and open renewals of annual contracts."""
    rec = _recurring_with_lives(ctx)
    first = rec.drop_duplicates("life")
    core = rec["product"] < ANALYTICS
    upsell = rec[(rec["life"] == rec["life"].shift()) & (rec["quantity"] > rec["quantity"].shift()) & core]
    cross = rec[~core].drop_duplicates("life")
    lost = first[first["churned"] & ~first["involuntary"]]
    annual = first[(first["months"] == 12) & ~first["churned"]]
    prospects = ctx.accounts[ctx.accounts["is_prospect"]]
    stage = np.where(rng.random(len(prospects)) < 0.6, "closed_lost", "open")
    out = pd.concat([
        _opps(first, "new_business", "closed_won", first["eff_from"]),
        _opps(cross, "cross_sell", "closed_won", cross["eff_from"]),
        _opps(upsell, "upsell", "closed_won", upsell["eff_from"]),
        _opps(lost, "renewal", "closed_lost", lost["canceled_on"], lost["reason"].to_numpy()),
        _opps(annual, "renewal", "open", ctx.window.end + rng.integers(10, 200, len(annual))),
        pd.DataFrame({
            "account_id": prospects["account_id"].to_numpy(), "opportunity_type": "new_business", "stage": stage,
            "amount": rng.integers(50, 500, len(prospects)) * 10_000, "currency": prospects["currency"].to_numpy(),
            "close_date": days(prospects["start"]) + 60,
            "loss_reason": np.where(stage == "closed_lost",
                                    rng.choice(["no_budget", "chose_competitor", "no_decision"], len(prospects)), None)}),
    ], ignore_index=True)
    out["close_date"] = days(out["close_date"])
    out = out.sort_values(["close_date", "account_id", "opportunity_type"], kind="stable", ignore_index=True)
    out.insert(0, "opportunity_id", ids("OPP-", len(out), 7))
    return out


def _recurring_with_lives(ctx: Context) -> pd.DataFrame:
    """Paid recurring segments of CRM-linked lives with annual contract value, account, currency and fate."""
    ch = ctx.book.charges
    rec = ch[(ch["charge_type"] == "recurring") & ~ch["is_trial"] & ch["life"].isin(ctx.linked_lives.index)]
    life = ctx.book.lives.loc[rec["life"].to_numpy()]
    ba = life["ba_idx"].to_numpy()
    acct = ctx.billing_accounts["account_idx"].to_numpy()[ba]
    return rec.assign(acv=(rec["price"] * rec["quantity"] * 12 // rec["months"]).to_numpy(),
                      account_id=ctx.accounts["account_id"].to_numpy()[acct],
                      currency=ctx.billing_accounts["currency"].to_numpy()[ba],
                      **{k: life[k].to_numpy() for k in ("churned", "involuntary", "canceled_on", "reason")})


def _opps(rows: pd.DataFrame, kind: str, stage: str, close, loss=None) -> pd.DataFrame:
    """Opportunities for charge rows (amount = annual contract value in local cents)."""
    return pd.DataFrame({"account_id": rows["account_id"].to_numpy(), "opportunity_type": kind, "stage": stage,
                         "amount": rows["acv"].to_numpy(), "currency": rows["currency"].to_numpy(),
                         "close_date": days(close), "loss_reason": loss})
