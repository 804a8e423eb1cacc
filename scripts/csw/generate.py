"""Synthetic raw sources plus an independent Python truth (``<out>/_truth``).

    from csw.generate import generate
    generate(Path("data/run"), accounts=1000, months=24, seed=7)

Same arguments give byte-identical files: every random draw comes from
``numpy.random.default_rng`` seeded from ``seed``, nothing reads the clock
for data, and every table is written in a fixed order.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from csw import truth
from csw.generator import accounts as acc
from csw.generator import engagement, fx, invoices, support, survey, usage
from csw.generator.calendar import DAY, Window, day_secs, days
from csw.generator.faults import FaultPlan, Ledger, inject
from csw.generator.lives import PRODUCTS
from csw.generator.rawtable import CsvWriter, format_table
from csw.generator.schema import EXTRACT_HOUR, SPECS, TABLES
from csw.generator.subscriptions import build_book

ALL_FAULTS = frozenset({"duplicates", "late_updates", "soft_deletes", "bad_rows"})
HOUR = 3600
MIN_ACCOUNTS = 20  # below this some sources can come out empty


def _extracted(rng: np.random.Generator, modified: np.ndarray, final: int) -> np.ndarray:
    """Time of the first extract that picked up a change made at ``modified`` (never after ``final``)."""
    at = np.asarray(modified, dtype=np.int64) + rng.integers(HOUR, 30 * HOUR, len(modified))
    return np.minimum((at + HOUR - 1) // HOUR * HOUR, final)


def _touched(rng: np.random.Generator, created: np.ndarray, final: int) -> np.ndarray:
    """A last-modified time between creation and the final extract."""
    created = np.asarray(created, dtype=np.int64)
    return created + (rng.random(len(created)) * np.maximum(final - created, 0)).astype(np.int64)


class _World:
    """Every entity of one generated dataset, built from the seed."""

    def __init__(self, accounts: int, months: int, seed: int, as_of: date):
        self.seed = seed
        self.window = Window(as_of, months)

        def rng(part: int) -> np.random.Generator:
            """An independent random stream per part, so parts do not shift each other."""
            return np.random.default_rng([seed, part])

        self.users = acc.make_users(rng(1), accounts)
        self.accounts = acc.make_accounts(rng(2), accounts, self.window, self.users)
        self.contacts = acc.make_contacts(rng(3), self.accounts, self.window)
        self.billing_accounts = acc.make_billing_accounts(rng(4), self.accounts, self.window)
        self.rates = fx.make_rates(rng(5), self.window)
        self.book = build_book(rng(6), self.billing_accounts, self.window)
        self.invoices, self.payments = invoices.make_invoices(rng(7), self.book, self.billing_accounts, self.window)
        self.ctx = engagement.Context(self.window, self.accounts, self.contacts, self.users,
                                      self.billing_accounts, self.book)
        self.activities = engagement.make_activities(rng(8), self.ctx)
        self.opportunities = engagement.make_opportunities(rng(9), self.ctx)
        self.orgs = support.make_organizations(rng(10), self.ctx)
        self.tickets, self.events, self.ratings = support.make_tickets(rng(11), self.ctx, self.orgs)
        self.responses = survey.make_responses(rng(12), self.ctx, self.tickets, self.orgs)

    def final(self, source: str) -> int:
        return self.window.extract_at(EXTRACT_HOUR[source])

    def tables(self, rng: np.random.Generator):
        """(source, table, typed columns, last-modified secs) of every table but usage."""
        end = self.window.end
        a, c, ba = self.accounts, self.contacts, self.billing_accounts
        subs, ch, inv, pay = self.book.subscriptions, self.book.charges, self.invoices, self.payments
        crm_final, billing_final = self.final("crm"), self.final("billing")
        yield "crm", "users", self.users, np.full(len(self.users), crm_final) - rng.integers(0, 30 * DAY, len(self.users))
        yield "crm", "accounts", {**{k: a[k].to_numpy() for k in ("account_id", "account_name", "industry",
                                                                  "country_code", "owner_user_id", "created_at",
                                                                  "merged_into_account_id")},
                                  "employee_count": (a["employee_count"].to_numpy(), a["employee_null"].to_numpy())}, \
            _touched(rng, a["created_at"].to_numpy(), crm_final)
        yield "crm", "contacts", c, _touched(rng, c["created_at"].to_numpy(), crm_final)
        yield "crm", "activities", self.activities, self.activities["occurred_at"].to_numpy()
        opp_close = day_secs(np.minimum(days(self.opportunities["close_date"]), end))
        yield "crm", "opportunities", self.opportunities, opp_close
        yield "billing", "accounts", ba, _touched(rng, ba["created_at"].to_numpy(), billing_final)
        products = pd.DataFrame(PRODUCTS, columns=["product_id", "product_name", "product_line", "usd", "kind"])
        yield "billing", "products", products, np.full(len(products), billing_final)
        sub_live = days(subs["canceled_on"]) > end
        sub_mod = np.where(sub_live, billing_final, day_secs(days(subs["canceled_on"])))
        yield "billing", "subscriptions", subs, sub_mod
        yield "billing", "subscription_charges", self._charges(ch), self._charge_modified(ch)
        yield "billing", "invoices", {**{k: inv[k].to_numpy() for k in ("invoice_id", "issued_on", "due_on", "status")},
                                      "billing_account_id": ba["billing_account_id"].to_numpy()[inv["ba_idx"]],
                                      "subscription_id": (subs["subscription_id"].to_numpy()[inv["sub_idx"].clip(lower=0)],
                                                          inv["sub_idx"].to_numpy() < 0),
                                      "subtotal": inv["amount"].to_numpy(), "tax_amount": inv["tax"].to_numpy(),
                                      "paid_at": (inv["paid_at"].to_numpy(), inv["paid_at"].to_numpy() < 0)}, \
            np.maximum(day_secs(days(inv["issued_on"])), inv["paid_at"].to_numpy())
        yield "billing", "payments", pay, pay["attempted_at"].to_numpy()
        yield "billing", "exchange_rates", self.rates, day_secs(days(self.rates["rate_date"])) + DAY + 6 * HOUR
        yield "support", "organizations", self.orgs, np.full(len(self.orgs), self.final("support")) - \
            rng.integers(0, 90 * DAY, len(self.orgs))
        last_event = self.events.groupby("t")["created_at"].max().reindex(range(len(self.tickets)))
        yield "support", "tickets", self.tickets, last_event.fillna(self.tickets["created_at"]).to_numpy(np.int64)
        yield "support", "ticket_events", self.events, self.events["created_at"].to_numpy()
        yield "support", "satisfaction_ratings", self.ratings, self.ratings["created_at"].to_numpy()
        yield "survey", "responses", self.responses, self.responses["submitted_at"].to_numpy()

    @staticmethod
    def _charges(ch: pd.DataFrame) -> dict:
        """Raw columns of subscription_charges."""
        return {"charge_id": ch["charge_id"].to_numpy(), "subscription_id": ch["subscription_id"].to_numpy(),
                "product_id": ch["product_id"].to_numpy(), "charge_type": ch["charge_type"].to_numpy(),
                "billing_period": ch["billing_period"].to_numpy(), "unit_price": ch["price"].to_numpy(),
                "quantity": ch["quantity"].to_numpy(), "discount_percent": ch["disc"].to_numpy(),
                "effective_from": days(ch["eff_from"]), "effective_to": days(ch["eff_to"]),
                "is_trial": ch["is_trial"].to_numpy(bool)}

    def _charge_modified(self, ch: pd.DataFrame) -> np.ndarray:
        """Closed segments were last touched when they ended; live ones are in the final extract."""
        end = np.minimum(days(ch["eff_to"]), days(ch["canceled_on"]))
        live = end > self.window.end
        return np.where(live, self.final("billing"), day_secs(np.maximum(days(ch["eff_from"]), end)))


def _write_table(out_dir: Path, world: _World, plan: FaultPlan, source: str, name: str, data, modified,
                 ledgers: dict) -> None:
    """Format, extract-time, fault and write one table."""
    spec = SPECS[(source, name)]
    rng = np.random.default_rng([world.seed, 1000 + TABLES.index(spec)])
    if isinstance(data, pd.DataFrame):
        data = {col: data[col].to_numpy() for col, _ in spec.columns}
    loaded = _extracted(rng, modified, world.final(source))
    table = format_table(spec, data, loaded, rng)
    ledger = ledgers.setdefault((source, name), Ledger())
    writer = CsvWriter(out_dir / source / f"{name}.csv", spec)
    writer.write(inject(rng, table, ledger, plan))
    writer.close()


def _write_usage(out_dir: Path, world: _World, plan: FaultPlan, ledgers: dict) -> None:
    """Stream the usage table chunk by chunk; bad rows go into the first chunk only."""
    spec = SPECS[("product", "workspace_usage_daily")]
    ledger = ledgers.setdefault(("product", "workspace_usage_daily"), Ledger())
    writer = CsvWriter(out_dir / "product" / "workspace_usage_daily.csv", spec)
    final = world.final("product")
    for k, chunk in enumerate(usage.usage_chunks(world.seed, world.ctx)):
        rng = np.random.default_rng([world.seed, 2000, k])
        loaded = np.minimum(day_secs(chunk["usage_date"]) + DAY + 2 * HOUR, final)
        writer.write(inject(rng, format_table(spec, chunk, loaded, rng), ledger, plan, with_bad_rows=k == 0))
    writer.close()


def _weekend_days(window: Window) -> np.ndarray:
    """Weekend dates, latest first: fresh exchange-rate keys (rates are published on weekdays only)."""
    d = np.arange(window.end - 3650, window.end + 1)
    return d[(d.astype(np.int64) + 3) % 7 >= 5][::-1]


def _write_truth(out_dir: Path, world: _World, ledgers: dict, meta: dict) -> dict:
    """The _truth directory; returns its row counts."""
    tdir = out_dir / "_truth"
    tdir.mkdir(parents=True, exist_ok=True)
    typed = truth.mrr_truth(world.book.charges, world.book.subscriptions, world.billing_accounts, world.rates,
                            world.window)
    frames = truth.to_csv_frames(typed)
    frames["nps_monthly"] = truth.nps_monthly(world.responses, world.window)
    frames["row_counts"] = pd.DataFrame(
        [(s, t, l.raw, l.staged, l.quarantined, l.superseded, l.deleted) for (s, t), l in sorted(ledgers.items())],
        columns=["source_name", "table_name", "raw_rows", "staged_rows", "quarantined_rows", "superseded_rows",
                 "deleted_rows"])
    q = [(s, t, key, reason) for (s, t), l in sorted(ledgers.items()) for key, reason in l.quarantine]
    frames["quarantine"] = pd.DataFrame(q, columns=["source_name", "table_name", "record_key", "reason"]).sort_values(
        ["source_name", "table_name", "record_key", "reason"], ignore_index=True)
    for name, frame in frames.items():
        frame.to_csv(tdir / f"{name}.csv", index=False, lineterminator="\n")
    counts = {name: len(frame) for name, frame in frames.items()}
    (tdir / "meta.json").write_text(json.dumps({**meta, "truth_rows": counts}, indent=2, sort_keys=True) + "\n")
    return counts


def generate(out_dir: Path, accounts: int, months: int, seed: int, as_of: date = date(2026, 6, 30),
             faults: frozenset[str] = ALL_FAULTS, product_source: bool = True, layout: str = "file") -> dict:
    """Write ``<out_dir>/<source>/<table>.csv`` and ``<out_dir>/_truth``; return a small summary.

    ``layout="folder"`` writes each table as a folder of extracts instead,
    ``<out_dir>/<source>/<table>/<as_of>.csv`` (one extract so far; ``csw generate-day`` adds more).

    ``as_of`` is the last simulated day; the window is the ``months`` whole months ending
    with its month. Needs at least 20 accounts. ``faults`` is a subset of :data:`ALL_FAULTS`. Without ``product_source``
    the ``product`` folder is not written.
    """
    unknown = set(faults) - ALL_FAULTS
    if unknown:
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    if accounts < MIN_ACCOUNTS or months < 1:
        raise ValueError(f"need accounts >= {MIN_ACCOUNTS} and months >= 1, got {accounts} and {months}")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    for sub in ("crm", "billing", "support", "survey", "product", "_truth"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    world = _World(accounts, months, seed, as_of)
    window = world.window
    plan = FaultPlan(frozenset(faults), 1 + accounts // 5000, _weekend_days(window))
    ledgers: dict = {}
    for source, name, data, modified in world.tables(np.random.default_rng([seed, 999])):
        _write_table(out_dir, world, plan, source, name, data, modified, ledgers)
    if product_source:
        _write_usage(out_dir, world, plan, ledgers)
    meta = {"arguments": {"accounts": accounts, "months": months, "seed": seed, "as_of": as_of.isoformat(),
                          "faults": sorted(faults), "product_source": product_source},
            "as_of_date": as_of.isoformat(), "first_month": str(window.start),
            "raw_rows": {f"{s}.{t}": l.raw for (s, t), l in sorted(ledgers.items())}}
    truth_rows = _write_truth(out_dir, world, ledgers, meta)
    if layout == "folder":
        from csw.generator.increment import to_folder_layout

        for source, table in sorted(ledgers):
            to_folder_layout(out_dir, source, table, as_of.isoformat())
    elif layout != "file":
        raise ValueError(f"unknown layout {layout!r}: 'file' or 'folder'")
    return {"rows": meta["raw_rows"], "total_rows": sum(meta["raw_rows"].values()), "truth_rows": truth_rows,
            "seconds": round(time.perf_counter() - t0, 2)}

