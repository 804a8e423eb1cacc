"""Invoices and payment attempts derived from the charge segments.

Recurring charges are invoiced at the start of every billing period of a
segment, one-time charges on their day and usage at the end of its month.
Invoices of a life in dunning fail (then are uncollectible, or still open
when the subscription is past due); a few invoices are void, a few get a
credit note (negative subtotal, paid).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import DAY, Window, add_months, day_secs, days, month_of
from .subscriptions import Book
from ..money import rhu
from .ids import ids

TAX_BP = {"USD": 0, "CAD": 1300, "EUR": 2000, "GBP": 2000, "JPY": 1000}
FAILURE_CODES = np.array(["card_declined", "insufficient_funds", "expired_card"])


def _billing_lines(book: Book, window: Window) -> pd.DataFrame:
    """(sub_idx, issued_on, amount_cents) for every billed period, one-time and usage charge."""
    ch = book.charges[~book.charges["is_trial"]]
    end = np.minimum(np.minimum(days(ch["eff_to"]), days(ch["canceled_on"])), window.end + 1)
    start = days(ch["eff_from"])
    months = ch["months"].to_numpy()
    recurring = (ch["charge_type"] == "recurring").to_numpy()
    periods = np.where(recurring, np.maximum(0, (month_of(end - 1) - month_of(start)) // months + 1), 1)
    periods = np.where(end > start, periods, 0)
    row = np.repeat(np.arange(len(ch)), periods)
    k = np.arange(len(row)) - np.repeat(np.cumsum(periods) - periods, periods)
    issued = np.where(recurring[row], add_months(start[row], k * months[row]), start[row])
    usage = (ch["charge_type"] == "usage").to_numpy()[row]
    issued = np.where(usage, days(ch["eff_to"])[row], issued)
    amount = rhu(ch["price"].to_numpy()[row] * ch["quantity"].to_numpy()[row] * (10_000 - ch["disc"].to_numpy()[row]),
                 10_000)
    keep = (issued < end[row]) | ~recurring[row]
    keep &= issued <= window.end
    return pd.DataFrame({"sub_idx": ch["sub_idx"].to_numpy()[row], "issued_on": issued, "amount": amount})[keep]


def make_invoices(rng: np.random.Generator, book: Book, billing_accounts: pd.DataFrame,
                  window: Window) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices and payments (typed, internal columns included)."""
    lines = _billing_lines(book, window)
    inv = lines.groupby(["sub_idx", "issued_on"], as_index=False)["amount"].sum()
    subs = book.subscriptions
    inv["ba_idx"] = subs["ba_idx"].to_numpy()[inv["sub_idx"]]
    inv = pd.concat([inv, _services_invoices(rng, subs, window)], ignore_index=True)
    life = book.lives.loc[subs["life"].to_numpy()[inv["sub_idx"].clip(lower=0)]].reset_index(drop=True)
    in_dunning = (inv["sub_idx"] >= 0).to_numpy() & life["involuntary"].to_numpy() & \
        (days(inv["issued_on"]) >= days(life["fail_on"]))
    dead = in_dunning & life["churned"].to_numpy()
    n = len(inv)
    currency = billing_accounts["currency"].to_numpy()[inv["ba_idx"]]
    inv["tax"] = rhu(inv["amount"].to_numpy() * np.vectorize(TAX_BP.get)(currency), 10_000)
    inv["due_on"] = days(inv["issued_on"]) + np.where(billing_accounts["size"].to_numpy()[inv["ba_idx"]] == 2, 30, 14)
    end_secs = day_secs(np.array([window.end]))[0] + DAY - 1
    paid_at = day_secs(days(inv["issued_on"])) + rng.integers(0, 10 * DAY, n)
    void = ~in_dunning & (rng.random(n) < 0.01)
    paid = ~in_dunning & ~void & (paid_at <= end_secs)
    inv["status"] = np.select([paid, void, dead], ["paid", "void", "uncollectible"], "open")
    inv["paid_at"] = np.where(paid, paid_at, -1)
    inv["in_dunning"] = in_dunning
    inv = pd.concat([inv, _credit_notes(rng, inv[paid], end_secs)], ignore_index=True)
    inv = inv.sort_values(["issued_on", "ba_idx", "sub_idx", "amount"], kind="stable", ignore_index=True)
    inv["invoice_id"] = ids("INV-", len(inv), 8)
    return inv, _payments(rng, inv, end_secs)


def _services_invoices(rng: np.random.Generator, subs: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Consulting invoices with no subscription for a few billing accounts."""
    ba = np.unique(subs["ba_idx"].to_numpy())
    ba = ba[rng.random(len(ba)) < 0.02]
    first = days(subs.groupby("ba_idx")["started_on"].min().loc[ba])
    issued = np.minimum(first + rng.integers(5, 90, len(ba)), window.end)
    return pd.DataFrame({"sub_idx": -1, "issued_on": issued, "amount": 250_000, "ba_idx": ba})


def _credit_notes(rng: np.random.Generator, paid: pd.DataFrame, end_secs: int) -> pd.DataFrame:
    """Negative invoices (paid) refunding part of a few paid invoices."""
    src = paid[rng.random(len(paid)) < 0.005]
    frac = rng.uniform(0.1, 1.0, len(src))
    issued_secs = src["paid_at"].to_numpy() + rng.integers(1, 30, len(src)) * DAY
    keep = issued_secs <= end_secs
    src, frac, issued_secs = src[keep], frac[keep], issued_secs[keep]
    amount = -np.round(src["amount"].to_numpy() * frac).astype(np.int64)
    issued = (issued_secs // DAY).astype("datetime64[D]")
    return src.assign(amount=amount, tax=-np.round(src["tax"].to_numpy() * frac).astype(np.int64),
                      issued_on=issued, due_on=issued, status="paid", paid_at=issued_secs)


def _payments(rng: np.random.Generator, inv: pd.DataFrame, end_secs: int) -> pd.DataFrame:
    """A success per paid invoice (sometimes after a failed try); 1-3 failures per dunning invoice."""
    total = (inv["amount"] + inv["tax"]).to_numpy()
    positive = total > 0
    paid = (inv["status"] == "paid").to_numpy() & positive
    retry = paid & (rng.random(len(inv)) < 0.03)
    dunning = inv["in_dunning"].to_numpy()
    tries = np.where(dunning, rng.integers(1, 4, len(inv)), 0) + retry
    row = np.repeat(np.arange(len(inv)), tries)
    k = np.arange(len(row)) - np.repeat(np.cumsum(tries) - tries, tries)
    issued = day_secs(days(inv["issued_on"]))[row]
    failed_at = issued + np.array([0, 3, 7])[k] * DAY + rng.integers(3600, 20 * 3600, len(row))
    failed = pd.DataFrame({"inv": row, "attempted_at": np.minimum(failed_at, end_secs), "outcome": "failed",
                           "failure_code": rng.choice(FAILURE_CODES, len(row))})
    ok = np.flatnonzero(paid)
    success = pd.DataFrame({"inv": ok, "attempted_at": inv["paid_at"].to_numpy()[ok], "outcome": "succeeded",
                            "failure_code": None})
    retried = failed["inv"].isin(ok).to_numpy()
    failed.loc[retried, "attempted_at"] = inv["paid_at"].to_numpy()[failed.loc[retried, "inv"]] - 86_400
    pay = pd.concat([failed, success], ignore_index=True).sort_values(["inv", "attempted_at"], kind="stable",
                                                                      ignore_index=True)
    pay["invoice_id"] = inv["invoice_id"].to_numpy()[pay["inv"]]
    pay["amount"] = total[pay["inv"]]
    pay["payment_id"] = ids("PAY-", len(pay), 8)
    return pay
