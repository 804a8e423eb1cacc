"""The subscription event model: each billing account lives one or more customer lives.

A life is a trial (that converts or not), then paid service made of charge
segments. Changes (seats, a plan change up or down within the core line with
or without a seat change on the same day, price rise, discount expiry, a
migration to a new subscription) close one segment and open the next; some lives add a
second product line; lives end by voluntary cancel at period end or by
dunning after failed payments, and some churned customers come back later as
a new life. Everything is vectorized over lives; the only loop is over the
handful of change slots per life.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import OPEN, Window, add_months, month_of, month_start

CURRENCY_FACTOR = {"USD": 1.0, "EUR": 0.93, "GBP": 0.8, "CAD": 1.37, "JPY": 152.0}
# product_id, product_name, product_line, USD list price in cents (per seat-month / unit), charge_type
PRODUCTS = [
    ("PRD-CORE-STARTER", "Core Starter", "core", 1500, "recurring"),
    ("PRD-CORE-GROWTH", "Core Growth", "core", 3500, "recurring"),
    ("PRD-CORE-BUSINESS", "Core Business", "core", 6000, "recurring"),
    ("PRD-CORE-ENTERPRISE", "Core Enterprise", "core", 9500, "recurring"),
    ("PRD-ANL-BASIC", "Analytics Basic", "analytics", 800, "recurring"),
    ("PRD-ANL-PRO", "Analytics Pro", "analytics", 2000, "recurring"),
    ("PRD-SVC-ONBOARDING", "Onboarding Package", "services", 150000, "one_time"),
    ("PRD-API-OVERAGE", "API Overage", "usage", 1, "usage"),
]
ANALYTICS, ONBOARDING, OVERAGE = 4, 6, 7
PERIOD_FACTOR = {1: 1.0, 3: 3 * 0.97, 12: 12 * 0.85}
TIER_P = [[0.6, 0.35, 0.05, 0.0], [0.1, 0.45, 0.4, 0.05], [0.0, 0.1, 0.4, 0.5]]
SEATS = [(2, 25), (15, 150), (80, 700)]
PERIOD_P = [[0.75, 0.1, 0.15], [0.5, 0.2, 0.3], [0.2, 0.2, 0.6]]
CHURN_HAZARD = np.array([0.028, 0.014, 0.007])  # per month, by size
INVOLUNTARY_P = np.array([0.3, 0.2, 0.1])
REASONS = np.array(["too_expensive", "missing_features", "switched_competitor", "no_longer_needed", "other"])
REASON_P = [0.3, 0.25, 0.2, 0.15, 0.1]
SLOTS = 5
SEAT, TIER, PRICE, MIGRATE, DISCOUNT, PLAN_AND_SEATS = range(6)
# Change kinds of the slots and their odds: seats, a plan change (tier up or down within the
# core line), a price rise, a migration to a new subscription, and a plan change with a seat
# change on the same day (metrics.md: one upsell or downsell with quantity and tier effects).
SLOT_KINDS, SLOT_P = [SEAT, TIER, PRICE, MIGRATE, PLAN_AND_SEATS], [0.52, 0.14, 0.17, 0.06, 0.11]
CROSS_SELL_SEQ = 100


@dataclass
class Lives:
    """Lives (one row each) and their charge segments."""

    lives: pd.DataFrame
    segments: pd.DataFrame
    closures: pd.DataFrame  # (life, seq, canceled_on, cancel_reason) of subscriptions ended inside a life


def list_price(product: np.ndarray, currency: np.ndarray, months: np.ndarray, rises: np.ndarray) -> np.ndarray:
    """Unit price in local cents for a billing period, after ``rises`` price rises of 6%."""
    usd = np.array([p[3] for p in PRODUCTS])[product]
    factor = np.array([CURRENCY_FACTOR[c] for c in currency]) if len(currency) else np.zeros(0)
    period = np.vectorize(PERIOD_FACTOR.get, otypes=[float])(months) if len(months) else np.zeros(0)
    cents = np.round(usd * factor * period * 1.06 ** rises)
    whole_yen = np.round(cents / 100) * 100
    return np.where(currency == "JPY", np.maximum(whole_yen, 100), np.maximum(cents, 1)).astype(np.int64)


def _segments(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


class _LifeSim:
    """State of one batch of lives while its change slots are played."""

    def __init__(self, rng: np.random.Generator, ba: pd.DataFrame, start: np.ndarray, window: Window,
                 allow_trial: bool):
        n = len(ba)
        self.rng, self.window, self.n = rng, window, n
        self.ba = ba["ba_idx"].to_numpy()
        self.currency = ba["currency"].to_numpy()
        size = ba["size"].to_numpy()
        self.size = size
        self.start = start
        self.has_trial = allow_trial & (rng.random(n) < 0.4)
        self.trial_end = start + np.where(self.has_trial, rng.choice([14, 30], n), 0)
        self.converts = (~self.has_trial | (rng.random(n) < 0.65)) & (self.trial_end <= window.end)
        self.paid_start = self.trial_end
        cum = np.cumsum(np.array(TIER_P)[size], axis=1)
        self.tier = (rng.random((n, 1)) > cum).sum(axis=1)
        lo, hi = np.array(SEATS)[size].T
        self.q0 = np.exp(rng.uniform(np.log(lo), np.log(hi + 1))).astype(np.int64)
        cum = np.cumsum(np.array(PERIOD_P)[size], axis=1)
        self.months = np.array([1, 3, 12])[(rng.random((n, 1)) > cum).sum(axis=1)]
        discounted = rng.random(n) < 0.35
        self.disc0 = np.where(discounted, rng.choice([1000, 1500, 2000, 2500, 1250], n, p=[.3, .3, .2, .1, .1]), 0)
        self._plan_churn()

    def _plan_churn(self) -> None:
        """Kind, reason and the date service ends (OPEN if after as-of).

        The customer decides after an exponential time; a voluntary cancel takes effect at the
        end of the billing period, an involuntary one after dunning on the next renewal.
        """
        rng, n, end = self.rng, self.n, self.window.end
        months_to = rng.exponential(1 / CHURN_HAZARD[self.size])
        periods = np.maximum(1, np.ceil(months_to / self.months)).astype(np.int64)
        boundary = add_months(self.paid_start, periods * self.months)
        self.involuntary = rng.random(n) < INVOLUNTARY_P[self.size]
        self.fail_on = np.where(self.involuntary, boundary, OPEN)
        cancel = np.where(self.involuntary, boundary + rng.integers(14, 29, n), boundary)
        self.churned = self.converts & (cancel <= end)
        self.past_due = self.converts & self.involuntary & (boundary <= end) & ~self.churned
        self.canceled_on = np.where(self.churned, cancel, OPEN)
        self.reason = np.where(self.involuntary, "payment_failed", rng.choice(REASONS, n, p=REASON_P))
        # Synthetic churn assumption (docs/health_calibration.md): most voluntary churners (90 %)
        # and half of the involuntary ones go through a warning period of 4-6 months before
        # service ends, in which usage fades, seats are cut, tickets, escalations and bad ratings
        # become more frequent and NPS answers drop - each signal drawn with its own noise, never
        # from the health score; the other churners leave without warning.
        self.signal = self.churned & (rng.random(n) < np.where(self.involuntary, 0.5, 0.9))
        self.warn_from = np.where(self.signal, cancel - rng.integers(120, 180, n), OPEN)
        self.horizon = np.minimum(self.canceled_on, end + 1)
        self.trial_lost = self.has_trial & ~self.converts & (self.trial_end <= end)

    def _events(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Dates, kinds and validity of the change slots, sorted by date per life."""
        rng, n = self.rng, self.n
        gaps = rng.exponential(200, (n, SLOTS)).astype(np.int64) + 1
        dates = self.paid_start[:, None] + np.cumsum(gaps, axis=1)
        kinds = rng.choice(SLOT_KINDS, (n, SLOTS), p=SLOT_P)
        expiring = (self.disc0 > 0) & (rng.random(n) < 0.7)
        expiry = np.where(expiring, add_months(self.paid_start, rng.choice([3, 6, 12], n)), OPEN)
        dates = np.concatenate([dates, expiry[:, None]], axis=1)
        kinds = np.concatenate([kinds, np.full((n, 1), DISCOUNT)], axis=1)
        order = np.argsort(dates, axis=1, kind="stable")
        dates = np.take_along_axis(dates, order, axis=1)
        kinds = np.take_along_axis(kinds, order, axis=1)
        valid = self.converts[:, None] & (dates < self.horizon[:, None]) & (dates <= self.window.end)
        valid[:, 1:] &= dates[:, 1:] > dates[:, :-1]
        return dates, kinds, valid

    def play(self) -> Lives:
        """Run the change slots and collect segments, closures and life rows."""
        rng, n = self.rng, self.n
        dates, kinds, valid = self._events()
        q, tier, rises, disc = self.q0.copy(), self.tier.copy(), np.zeros(n, np.int64), self.disc0.copy()
        seq, seg_start = np.zeros(n, np.int64), self.paid_start.copy()
        segs, closures = [], []
        for j in range(dates.shape[1]):
            # An event dated before the current segment's start (possible right after a
            # migration restart) never happens: segments must not end before they start.
            d, k = dates[:, j], kinds[:, j]
            v = valid[:, j] & (d > seg_start)
            segs.append(self._paid_segment(v, seq, tier, rises, q, disc, seg_start, d))
            warning = self.signal & (d >= self.warn_from)
            q = np.where(v & ((k == SEAT) | (k == PLAN_AND_SEATS)), self._new_seats(q, warning), q)
            step = np.where(warning | (rng.random(n) < 0.35), -1, 1)
            step = np.where((tier + step < 0) | (tier + step > 3), -step, step)
            tier = np.where(v & ((k == TIER) | (k == PLAN_AND_SEATS)), tier + step, tier)
            rises = rises + (v & (k == PRICE))
            disc = np.where(v & (k == DISCOUNT), 0, disc)
            migrate = v & (k == MIGRATE)
            closures.append(pd.DataFrame({"life": np.flatnonzero(migrate), "seq": seq[migrate],
                                          "canceled_on": d[migrate], "cancel_reason": "other"}))
            month_end = add_months(month_start(month_of(d)), 1) - 1
            restart = np.minimum(np.minimum(d + rng.integers(0, 6, n), month_end), self.window.end)
            restart = np.minimum(restart, self.horizon - 1)  # the new subscription starts before it ends
            seq = seq + migrate
            seg_start = np.where(v, np.where(migrate, restart, d), seg_start)
        final_to = self._final_effective_to()
        segs.append(self._paid_segment(self.converts, seq, tier, rises, q, disc, seg_start, final_to))
        self.migrated = seq > 0
        segs += [self._trial_segment(), self._cross_sell(), self._one_time(), self._usage()]
        lives = self._life_frame(seq)
        return Lives(lives, pd.concat(segs, ignore_index=True), pd.concat(closures, ignore_index=True))

    def _new_seats(self, q: np.ndarray, warning: np.ndarray) -> np.ndarray:
        """Seat count after a seat change: down before churn, mostly up otherwise."""
        rng, n = self.rng, self.n
        up = ~warning & (rng.random(n) < 0.65)
        factor = np.where(up, rng.uniform(1.1, 1.6, n), rng.uniform(0.5, 0.9, n))
        new = np.maximum(1, np.round(q * factor).astype(np.int64))
        return np.where(new == q, np.where(up, q + 1, np.maximum(1, q - 1)), new)

    def _final_effective_to(self) -> np.ndarray:
        """Last segment's effective_to of churned lives: open, at cancel, or later (term end)."""
        rng, n = self.rng, self.n
        pick = rng.choice(3, n, p=[0.4, 0.4, 0.2])
        later = self.canceled_on + rng.integers(1, 60, n)
        return np.where(self.churned, np.choose(pick, [np.full(n, OPEN), self.canceled_on, later]), OPEN)

    def _paid_segment(self, mask, seq, tier, rises, q, disc, eff_from, eff_to) -> pd.DataFrame:
        """A recurring core segment per life in ``mask``."""
        i = np.flatnonzero(mask)
        return _segments(life=i, seq=seq[i], product=tier[i], charge_type="recurring", months=self.months[i],
                         price=list_price(tier[i], self.currency[i], self.months[i], rises[i]),
                         quantity=q[i], disc=disc[i], eff_from=eff_from[i], eff_to=eff_to[i], is_trial=False)

    def _trial_segment(self) -> pd.DataFrame:
        """The free trial: list price, is_trial, from signup to trial end."""
        i = np.flatnonzero(self.has_trial)
        return _segments(life=i, seq=0, product=self.tier[i], charge_type="recurring", months=1,
                         price=list_price(self.tier[i], self.currency[i], np.ones(len(i), int), np.zeros(len(i))),
                         quantity=self.q0[i], disc=0, eff_from=self.start[i], eff_to=self.trial_end[i],
                         is_trial=True)

    def _cross_sell(self) -> pd.DataFrame:
        """Second product line: a charge on the same subscription or its own subscription."""
        rng, n = self.rng, self.n
        on = self.paid_start + rng.integers(30, 540, n)
        take = self.converts & (rng.random(n) < 0.25) & (on < self.horizon)
        drop = on + rng.integers(60, 360, n)
        dropped = take & (rng.random(n) < 0.25) & (drop < self.horizon)
        own_sub = take & (self.migrated | (rng.random(n) < 0.5))
        self.cross = pd.DataFrame({"life": np.flatnonzero(own_sub), "dropped": dropped[own_sub],
                                   "drop_on": drop[own_sub]})
        i = np.flatnonzero(take)
        product = ANALYTICS + (rng.random(n) < 0.3)
        seats = np.maximum(1, np.round(self.q0 * rng.uniform(0.2, 1.0, n))).astype(np.int64)
        eff_to = np.where(dropped, drop, self._final_effective_to())
        return _segments(life=i, seq=np.where(own_sub, CROSS_SELL_SEQ, 0)[i], product=product[i],
                         charge_type="recurring", months=self.months[i],
                         price=list_price(product[i], self.currency[i], self.months[i], np.zeros(len(i))),
                         quantity=seats[i], disc=0, eff_from=on[i], eff_to=eff_to[i], is_trial=False)

    def _one_time(self) -> pd.DataFrame:
        """Onboarding fee for bigger customers (not MRR)."""
        i = np.flatnonzero(self.converts & (self.size >= 1) & (self.rng.random(self.n) < 0.5))
        return _segments(life=i, seq=0, product=ONBOARDING, charge_type="one_time", months=self.months[i],
                         price=list_price(np.full(len(i), ONBOARDING), self.currency[i], np.ones(len(i), int),
                                          np.zeros(len(i))),
                         quantity=1, disc=0, eff_from=self.paid_start[i], eff_to=self.paid_start[i] + 1,
                         is_trial=False)

    def _usage(self) -> pd.DataFrame:
        """API overage in one whole past month of some lives (not MRR)."""
        rng, n = self.rng, self.n
        first = month_of(self.paid_start) + 1
        last = month_of(np.minimum(self.horizon, self.window.end + 1)) - 1
        i = np.flatnonzero(self.converts & ~self.migrated & (rng.random(n) < 0.15) & (last > first))
        m = first[i] + (rng.random(len(i)) * (last[i] - first[i])).astype(np.int64)
        return _segments(life=i, seq=0, product=OVERAGE, charge_type="usage", months=self.months[i],
                         price=list_price(np.full(len(i), OVERAGE), self.currency[i], np.ones(len(i), int),
                                          np.zeros(len(i))),
                         quantity=rng.integers(10_000, 500_000, len(i)), disc=0, eff_from=month_start(m),
                         eff_to=month_start(m + 1), is_trial=False)

    def _life_frame(self, seq: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({
            "ba_idx": self.ba, "start": self.start, "has_trial": self.has_trial, "trial_end": self.trial_end,
            "converts": self.converts, "trial_lost": self.trial_lost, "paid_start": self.paid_start,
            "months": self.months, "q0": self.q0, "churned": self.churned, "involuntary": self.involuntary,
            "past_due": self.past_due, "fail_on": self.fail_on, "warn_from": self.warn_from,
            "canceled_on": self.canceled_on, "reason": self.reason, "signal": self.signal,
            "last_seq": seq,
        })


def simulate(rng: np.random.Generator, ba: pd.DataFrame, start: np.ndarray, window: Window,
             allow_trial: bool) -> tuple[Lives, pd.DataFrame]:
    """Play lives for billing accounts ``ba`` starting on ``start``; also return own-subscription cross-sells."""
    sim = _LifeSim(rng, ba, start, window, allow_trial)
    return sim.play(), sim.cross
