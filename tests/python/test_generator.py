"""Tests of the synthetic data generator and its Python truth (scripts/csw/generate.py, truth.py)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL

from csw.generate import ALL_FAULTS, generate
from csw.generator.schema import SPECS, TABLES

AS_OF = date(2026, 6, 30)
OPEN = date(9999, 12, 31)
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
BUSINESS = ["new", "upsell", "cross_sell", "downsell", "churn", "win_back"]


def read(path: Path) -> pd.DataFrame:
    """A CSV as text, empty field = ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cents(text: str) -> int:
    return int(Decimal(text) * 100) if text != "" else 0


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def rhu(n: int, d: int) -> int:
    return (1 if n >= 0 else -1) * ((2 * abs(n) + d) // (2 * d))


def month_add(m: date, k: int) -> date:
    y, mo = divmod(m.year * 12 + m.month - 1 + k, 12)
    return date(y, mo + 1, 1)


def last_day(m: date) -> date:
    return month_add(m, 1) - timedelta(days=1)


def staged(root: Path, source: str, table: str) -> pd.DataFrame:
    """Rows that survive the staging rules: quarantined keys dropped, latest extract wins, deletes gone."""
    spec = SPECS[(source, table)]
    df = read(root / source / f"{table}.csv")
    q = read(root / "_truth" / "quarantine.csv")
    bad = set(q.loc[(q.source_name == source) & (q.table_name == table), "record_key"])
    df = df[~df[list(spec.key)].agg("|".join, axis=1).isin(bad)].copy()
    df["_ts"] = pd.to_datetime(df["_loaded_at"], utc=True, format="ISO8601")
    df = df.sort_values("_ts", kind="stable").drop_duplicates(list(spec.key), keep="last")
    return df[df["_is_deleted"] != "true"]


def truth(root: Path, name: str) -> pd.DataFrame:
    return read(root / "_truth" / f"{name}.csv")


# --- determinism and file contract ------------------------------------------------------------

def test_same_seed_same_bytes_other_seed_differs(gen_dir, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    generate(again, seed=1, **SMALL)
    generate(other, seed=2, **SMALL)
    assert digest(again) == digest(gen_dir)
    theirs = digest(other)
    assert theirs.keys() == digest(gen_dir).keys()
    assert theirs["billing/subscription_charges.csv"] != digest(gen_dir)["billing/subscription_charges.csv"]


@pytest.mark.parametrize("spec", TABLES, ids=lambda s: f"{s.source}.{s.name}")
def test_every_file_has_the_spec_columns_in_order(gen_dir, spec):
    header = (gen_dir / spec.source / f"{spec.name}.csv").read_text().split("\n", 1)[0]
    assert header.split(",") == spec.column_names


def test_product_source_can_be_omitted(gen_clean):
    assert not (gen_clean / "product").exists()
    assert (gen_clean / "billing" / "subscription_charges.csv").exists()


def test_extract_times_end_on_the_as_of_day(gen_dir):
    charges = pd.to_datetime(read(gen_dir / "billing" / "subscription_charges.csv")["_loaded_at"], utc=True,
                             format="ISO8601", errors="coerce")
    assert charges.max() == pd.Timestamp("2026-06-30T23:00:00Z")
    for spec in TABLES:
        loaded = read(gen_dir / spec.source / f"{spec.name}.csv")["_loaded_at"]
        ts = pd.to_datetime(loaded, utc=True, format="ISO8601", errors="coerce")
        assert ts.max() < pd.Timestamp("2026-07-01T00:00:00Z"), spec.name


# --- the truth against itself -------------------------------------------------------------------

def test_bridge_identity_per_customer_and_month(gen_dir):
    mrr = truth(gen_dir, "mrr")
    mv = truth(gen_dir, "mrr_movements")
    level = defaultdict(int)
    for c, m, v in zip(mrr.customer_id, mrr.month, mrr.mrr_usd):
        level[(c, m)] += cents(v)
    change = defaultdict(int)
    for c, m, v in zip(mv.customer_id, mv.month, mv.mrr_change_usd):
        change[(c, m)] += cents(v)
    months = sorted(set(mrr.month))
    assert months[-1] == "2026-06-01"
    customers = set(mrr.customer_id)
    total_prev = 0
    for i, m in enumerate(months):
        prev = months[i - 1] if i else None
        for c in customers:
            assert level.get((c, prev), 0) + change.get((c, m), 0) == level.get((c, m), 0), (c, m)
        total = sum(level.get((c, m), 0) for c in customers)
        assert total_prev + sum(change.get((c, m), 0) for c in customers) == total
        total_prev = total


def test_effects_sum_to_the_change_and_only_on_up_and_downsell(gen_dir):
    """quantity + price + tier = change on every upsell/downsell; price or tier is 0 (metrics.md)."""
    mv = truth(gen_dir, "mrr_movements")
    has = (mv.quantity_effect_usd != "") | (mv.price_effect_usd != "") | (mv.tier_effect_usd != "")
    assert set(mv.loc[has, "movement_type"]) == {"upsell", "downsell"}
    moves = mv.loc[mv.movement_type.isin(["upsell", "downsell"])]
    assert not moves[["quantity_effect_usd", "price_effect_usd", "tier_effect_usd"]].eq("").any().any()
    for q, p, t, d in zip(moves.quantity_effect_usd, moves.price_effect_usd, moves.tier_effect_usd,
                          moves.mrr_change_usd):
        assert cents(q) + cents(p) + cents(t) == cents(d)
        assert cents(p) == 0 or cents(t) == 0
    plan_changes = moves[moves.products_before != moves.products_after]
    assert len(plan_changes) and (plan_changes.price_effect_usd == "0.00").all()


def test_every_movement_type_appears(gen_dir):
    assert set(truth(gen_dir, "mrr_movements").movement_type) == set(BUSINESS) | {"fx_adjustment"}


def test_churn_events_match_churn_movements(gen_dir):
    mv = truth(gen_dir, "mrr_movements")
    churn = mv[mv.movement_type == "churn"].groupby(["customer_id", "month"])["mrr_change_usd"].agg(
        lambda s: -sum(cents(v) for v in s))
    ev = truth(gen_dir, "churn_events").set_index(["customer_id", "churn_month"])
    assert set(churn.index) == set(ev.index)
    for key, amount in churn.items():
        assert cents(ev.loc[key, "churned_mrr_usd"]) == amount
    assert set(ev.churn_type) == {"voluntary", "involuntary"}
    assert (ev.loc[ev.churn_type == "involuntary", "churn_reason"] == "payment_failed").all()
    assert {"too_expensive", "missing_features", "switched_competitor"} <= set(ev.churn_reason)
    won = ev[ev.is_won_back == "true"]
    assert len(won) and (won.months_to_win_back.astype(int) >= 1).all()
    assert (ev.loc[ev.is_won_back == "false", "months_to_win_back"] == "").all()
    for (c, m), row in ev.iterrows():
        assert row.churn_date[:7] == m[:7]
        assert int(row.tenure_months) >= 1


def test_no_mrr_after_as_of_and_three_segments_and_currencies(gen_dir):
    mrr = truth(gen_dir, "mrr")
    assert mrr.month.max() == "2026-06-01"
    per_customer = mrr.assign(c=mrr.mrr_usd.map(cents)).groupby(["customer_id", "month"])["c"].sum()
    assert (per_customer >= 500_000).any(), "enterprise MRR level"
    assert per_customer.between(50_000, 499_999).any(), "mid-market MRR level"
    assert (per_customer < 50_000).any(), "smb MRR level"
    assert {"USD", "EUR", "GBP", "JPY", "CAD"} <= set(mrr.currency)
    assert (mrr.loc[mrr.currency == "MULTI", "mrr_local"] == "").all()


def test_merge_chain_and_unmatched_billing_accounts(gen_dir):
    acc = staged(gen_dir, "crm", "accounts")
    into = dict(zip(acc.account_id, acc.merged_into_account_id))
    assert any(into.get(t, "") != "" for t in into.values() if t), "an A->B->C chain"
    ba = staged(gen_dir, "billing", "accounts")
    unmatched = ba[~ba.crm_account_id.isin(set(acc.account_id))]
    assert (unmatched.crm_account_id == "").any() and (unmatched.crm_account_id != "").any()
    customers = set(truth(gen_dir, "mrr").customer_id)
    assert any(c.startswith("billing:") for c in customers)
    assert not customers & {a for a, t in into.items() if t}, "merged accounts are never customers"


def test_nps_monthly_formula(gen_dir):
    nps = truth(gen_dir, "nps_monthly")
    for _, r in nps.iterrows():
        n, p, d = int(r.responses), int(r.promoters), int(r.detractors)
        assert n == p + d + int(r.passives)
        assert r.nps == ("" if n == 0 else f"{Decimal(rhu(1000 * (p - d), n)) / 10:.1f}")
    assert (nps.responses.astype(int) > 0).sum() >= 6


# --- the truth against the raw files ------------------------------------------------------------

def _survivor(accounts: pd.DataFrame):
    into = dict(zip(accounts.account_id, accounts.merged_into_account_id))

    def follow(a: str) -> str:
        while into.get(a):
            a = into[a]
        return a
    return follow


def _rate_lookup(rates: pd.DataFrame):
    by_cur = {c: sorted(zip(g.rate_date, g.usd_per_unit)) for c, g in rates.groupby("currency")}

    def rate_e6(cur: str, month: date) -> int:
        if cur == "USD":
            return 1_000_000
        end = last_day(month).isoformat()
        return int(Decimal([r for d, r in by_cur[cur] if d <= end][-1]) * 1_000_000)
    return rate_e6


def test_truth_mrr_equals_a_plain_recomputation_from_the_raw_files(gen_dir):
    """Read the faulty raw files as staging would, apply metrics.md by hand, compare to the cent."""
    accounts = staged(gen_dir, "crm", "accounts")
    survivor = _survivor(accounts)
    known = set(accounts.account_id)
    ba = staged(gen_dir, "billing", "accounts")
    customer = {b: (survivor(c) if c in known else f"billing:{b}") for b, c in zip(ba.billing_account_id, ba.crm_account_id)}
    currency = dict(zip(ba.billing_account_id, ba.currency))
    subs = staged(gen_dir, "billing", "subscriptions").set_index("subscription_id")
    rate_e6 = _rate_lookup(staged(gen_dir, "billing", "exchange_rates"))
    ch = staged(gen_dir, "billing", "subscription_charges")
    ch = ch[(ch.charge_type == "recurring") & (ch.is_trial == "false")]
    local = defaultdict(int)
    for r in ch.itertuples():
        sub = subs.loc[r.subscription_id]
        seg = rhu(int(Decimal(r.unit_price) * 10_000) * int(r.quantity) * (10_000 - int(Decimal(r.discount_percent) * 100)),
                  1_000_000 * PERIOD_MONTHS[r.billing_period])
        end = min(date.fromisoformat(r.effective_to or OPEN.isoformat()),
                  date.fromisoformat(sub.canceled_on or OPEN.isoformat()))
        m = date.fromisoformat(r.effective_from).replace(day=1)
        while m <= AS_OF and last_day(m) < end:
            ba_id = sub.billing_account_id
            local[(customer[ba_id], r.product_id, m.isoformat(), currency[ba_id])] += seg
            m = month_add(m, 1)
    usd = defaultdict(int)
    for (c, p, m, cur), v in local.items():
        usd[(c, p, m)] += rhu(v * rate_e6(cur, date.fromisoformat(m)), 1_000_000)
    expected = {k: v for k, v in usd.items() if v > 0}
    mrr = truth(gen_dir, "mrr")
    got = {(c, p, m): cents(v) for c, p, m, v in zip(mrr.customer_id, mrr.product_id, mrr.month, mrr.mrr_usd)}
    assert got == expected


# --- fault accounting -----------------------------------------------------------------------------

def test_row_counts_reconcile_with_the_files(gen_dir):
    rc = truth(gen_dir, "row_counts")
    assert len(rc) == len(TABLES)
    for r in rc.itertuples():
        raw = int(r.raw_rows)
        assert raw == int(r.staged_rows) + int(r.quarantined_rows) + int(r.superseded_rows) + int(r.deleted_rows)
        assert raw == len(read(gen_dir / r.source_name / f"{r.table_name}.csv"))
        assert min(int(r.quarantined_rows), int(r.superseded_rows), int(r.deleted_rows)) > 0


def test_superseded_and_deleted_follow_the_staging_rules(gen_dir):
    """Recount superseded / deleted rows from the files with the design.md rules."""
    rc = truth(gen_dir, "row_counts").set_index(["source_name", "table_name"])
    q = truth(gen_dir, "quarantine")
    for spec in TABLES:
        raw = read(gen_dir / spec.source / f"{spec.name}.csv")
        keys = raw[list(spec.key)].agg("|".join, axis=1)
        bad = keys.isin(set(q.loc[(q.source_name == spec.source) & (q.table_name == spec.name), "record_key"]))
        ok = raw[~bad]
        winners = staged(gen_dir, spec.source, spec.name)
        row = rc.loc[(spec.source, spec.name)]
        assert int(row.quarantined_rows) == bad.sum()
        assert int(row.superseded_rows) == len(ok) - len(ok.drop_duplicates(list(spec.key)))
        assert int(row.deleted_rows) == len(ok.drop_duplicates(list(spec.key))) - len(winners)


def test_each_reason_code_appears(gen_dir):
    reasons = set(truth(gen_dir, "quarantine").reason)
    expected = {r for spec in TABLES for r, *_ in spec.bad_rules()}
    assert reasons == expected
    assert {"null_key", "invalid_range:effective_to", "out_of_range:discount_percent", "out_of_range:quantity",
            "out_of_range:score", "out_of_range:usd_per_unit", "unknown_value:status"} <= reasons


def test_no_faults_means_clean_counts(gen_clean):
    rc = truth(gen_clean, "row_counts")
    assert (rc[["quarantined_rows", "superseded_rows", "deleted_rows"]].astype(int) == 0).all().all()
    assert (rc.raw_rows == rc.staged_rows).all()
    assert len(truth(gen_clean, "quarantine")) == 0


@pytest.mark.parametrize("seed", [1234, 5, 99])
def test_real_charges_never_end_before_they_start(tmp_path, seed):
    """Only injected bad rows may break `effective_to >= effective_from` (design.md): a real charge
    that does would be quarantined by staging and silently leave the truth's row counts."""
    generate(tmp_path, accounts=400, months=24, seed=seed, faults=frozenset(), product_source=False)
    charges = read(tmp_path / "billing" / "subscription_charges.csv")
    ended = charges[charges.effective_to != ""]
    backwards = ended[ended.effective_to < ended.effective_from]
    assert backwards.empty, backwards.head().to_string()


def test_faults_do_not_change_the_truth(gen_dir, gen_clean):
    for name in ("mrr", "mrr_movements", "churn_events", "nps_monthly"):
        assert (gen_dir / "_truth" / f"{name}.csv").read_bytes() == (gen_clean / "_truth" / f"{name}.csv").read_bytes()


def test_bad_arguments_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown faults"):
        generate(tmp_path, accounts=50, months=3, seed=1, faults=ALL_FAULTS | {"gremlins"})
    with pytest.raises(ValueError, match="accounts >= 20"):
        generate(tmp_path, accounts=5, months=3, seed=1)


def test_a_one_month_window_of_a_few_days_still_works(tmp_path):
    summary = generate(tmp_path, accounts=20, months=1, seed=4, as_of=date(2025, 3, 5))
    assert summary["truth_rows"]["nps_monthly"] == 1
    assert truth(tmp_path, "mrr").month.isin(["2025-03-01"]).all()


# --- content that later models rely on -------------------------------------------------------------

def test_every_activity_type_and_escalation_kinds_exist(gen_dir):
    types = set(read(gen_dir / "crm" / "activities.csv").activity_type)
    assert {"meeting", "call", "qbr", "onsite_visit", "email", "webinar", "training", "in_app_message",
            "automated_email", "community_post", "community_event"} <= types
    ev = read(gen_dir / "support" / "ticket_events.csv")
    assert ((ev.event_type == "priority_change") & (ev.new_value == "urgent")).any()
    assert ((ev.event_type == "group_change") & (ev.new_value == "escalations")).any()
    ts = pd.to_datetime(ev.created_at, utc=True, format="ISO8601", errors="coerce")
    assert ts.notna().mean() > 0.99
    assert ev.created_at.str.endswith("+09:00").any() and ev.created_at.str.endswith("-05:00").any()


def test_billing_documents_cover_every_status(gen_dir):
    inv = staged(gen_dir, "billing", "invoices")
    assert set(inv.status) == {"paid", "open", "void", "uncollectible"}
    credit = inv[inv.subtotal.str.startswith("-")]
    assert len(credit) and (credit.status == "paid").all()
    pay = staged(gen_dir, "billing", "payments")
    assert (pay.loc[pay.outcome == "failed", "failure_code"] != "").all()
    assert (pay.loc[pay.outcome == "succeeded", "failure_code"] == "").all()
    subs = staged(gen_dir, "billing", "subscriptions")
    assert {"trialing", "active", "canceled"} <= set(subs.status)
    charges = staged(gen_dir, "billing", "subscription_charges")
    assert {"recurring", "one_time", "usage"} == set(charges.charge_type)
    assert {"month", "quarter", "year"} == set(charges.billing_period)
    assert (charges.is_trial == "true").any() and charges.discount_percent.str.contains(r"\.").any()


def test_survey_duplicates_and_strangers(gen_dir):
    r = staged(gen_dir, "survey", "responses")
    norm = r.respondent_email.str.strip().str.lower()
    assert (r.assign(e=norm).duplicated(["survey_id", "e"])).any()
    contacts = set(read(gen_dir / "crm" / "contacts.csv").email.str.lower())
    assert (~norm.isin(contacts)).any()
    assert (r.crm_account_id == "").any() and (r.crm_account_id != "").any()


def _window_mean(usage: dict, acct: str, end: pd.Timestamp, start_days: int, stop_days: int) -> float:
    """Mean daily active users of an account over days [end - stop_days, end - start_days)."""
    series = usage.get(acct)
    if series is None:
        return 0.0
    lo, hi = end - pd.Timedelta(days=stop_days), end - pd.Timedelta(days=start_days)
    return float(series[(series.index >= lo) & (series.index < hi)].sum()) / (stop_days - start_days)


def test_churners_use_the_product_less_before_they_churn(gen_dir):
    """Usage trend (last 90 days vs the 90 before) is lower for churners than for retained customers.

    Sample: every churn event of a CRM customer after at least 7 months of paid service (so both
    windows fall inside the customer's life; about 20-30 at this size), against every customer still
    paying at the as-of date with at least 7 months of MRR (about 100).
    The ratio removes seat count; a one-sided Welch t-test must give t < -3 (p < 0.002), and the
    signal must not be perfect (some churner trends exceed the median retained trend).
    """
    accounts = read(gen_dir / "crm" / "accounts.csv")
    survivor = _survivor(accounts[accounts.account_id.str.startswith("ACC-0")])
    usage = staged(gen_dir, "product", "workspace_usage_daily")
    usage = usage.assign(c=usage.crm_account_id.map(survivor), d=pd.to_datetime(usage.usage_date),
                         n=usage.active_users.astype(int))
    by_customer = {c: g.groupby("d")["n"].sum() for c, g in usage.groupby("c")}

    def trend(c: str, end: pd.Timestamp) -> float | None:
        recent, before = _window_mean(by_customer, c, end, 0, 90), _window_mean(by_customer, c, end, 90, 180)
        return recent / before if before > 0 else None

    ev = truth(gen_dir, "churn_events")
    ev = ev[~ev.customer_id.str.startswith("billing:") & (ev.tenure_months.astype(int) >= 7)]
    churners = [trend(c, pd.Timestamp(d)) for c, d in zip(ev.customer_id, ev.churn_date)]
    mrr = truth(gen_dir, "mrr")
    months_paid = mrr.drop_duplicates(["customer_id", "month"]).customer_id.value_counts()
    retained = set(mrr.loc[mrr.month == "2026-06-01", "customer_id"]) & set(months_paid[months_paid >= 7].index)
    stayers = [trend(c, pd.Timestamp(AS_OF) + pd.Timedelta(days=1)) for c in sorted(retained) if not c.startswith("b")]
    a = np.array([x for x in churners if x is not None])
    b = np.array([x for x in stayers if x is not None])
    assert len(a) >= 15 and len(b) >= 50
    t = (a.mean() - b.mean()) / np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert t < -3, (t, a.mean(), b.mean())
    assert (a > np.median(b)).any(), "signal should not be perfect"
