"""Expected results computed from the generator's own event model (never from the CSVs, never SQL).

Implements docs/spec/metrics.md with the rounding and tie-break rules of
docs/design.md, in integer cents: segment MRR, end-of-month membership,
FX per (customer, product, month, currency), prev_restated, fx_adjustment,
movement classification per product line, quantity/price/tier effects, the
customer view (expansion, contraction), churn events and NPS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csw.generator.calendar import Window, days, month_of, month_start
from csw.generator.lives import PRODUCTS
from csw.money import rhu

# The generator's own catalog: product -> line, and a bit per product for product sets.
PRODUCT_LINE = {p[0]: p[2] for p in PRODUCTS}
PRODUCT_BIT = {p[0]: 1 << i for i, p in enumerate(PRODUCTS)}


def month_rates(rates: pd.DataFrame, currencies: list[str], first_month: int, last_month: int) -> pd.DataFrame:
    """usd_per_unit (millionths) per (currency, month): the latest rate_date <= the month's last day.

    USD is 1.000000. A currency with no rate by a month end raises, naming the currency.
    """
    months = np.arange(first_month, last_month + 1)
    month_end = month_start(months + 1) - 1
    frames = []
    for cur in currencies:
        if cur == "USD":
            e6 = np.full(len(months), 1_000_000)
        else:
            r = rates[rates["currency"] == cur].sort_values("rate_date")
            pos = np.searchsorted(days(r["rate_date"]), month_end, side="right") - 1
            if len(r) == 0 or (pos < 0).any():
                raise ValueError(f"no exchange rate for currency {cur}")
            e6 = r["usd_per_unit"].to_numpy()[pos]
        frames.append(pd.DataFrame({"currency": cur, "month": months, "rate": e6}))
    return pd.concat(frames, ignore_index=True)


def segment_months(charges: pd.DataFrame, subscriptions: pd.DataFrame, billing_accounts: pd.DataFrame,
                   window: Window) -> pd.DataFrame:
    """One row per counted (recurring, non-trial) segment and month, with its local cents.

    A segment counts in M when effective_from <= last_day(M) < least(effective_to, canceled_on),
    i.e. M in [month(effective_from), month(service_end)), capped at the as-of month.
    """
    ch = charges[(charges["charge_type"] == "recurring") & ~charges["is_trial"].astype(bool)]
    price_e4 = ch["price"].to_numpy(np.int64) * 100
    cents = rhu(price_e4 * ch["quantity"].to_numpy(np.int64) * (10_000 - ch["disc"].to_numpy(np.int64)),
                1_000_000 * ch["months"].to_numpy(np.int64))
    service_end = np.minimum(days(ch["eff_to"]), days(ch["canceled_on"]))
    m0 = month_of(days(ch["eff_from"]))
    m_end = month_of(service_end)
    count = np.clip(np.minimum(m_end, window.as_of_month + 1) - m0, 0, None)
    row = np.repeat(np.arange(len(ch)), count)
    month = m0[row] + np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    sub = ch["sub_idx"].to_numpy()[row]
    ba = subscriptions["ba_idx"].to_numpy()[sub]
    return pd.DataFrame({
        "customer_id": billing_accounts["customer_id"].to_numpy()[ba],
        "product_id": ch["product_id"].to_numpy()[row],
        "currency": billing_accounts["currency"].to_numpy()[ba],
        "month": month,
        "cents": cents[row],
        "quantity": ch["quantity"].to_numpy(np.int64)[row],
        "sub_idx": sub,
        "service_end": service_end[row],
        "ends_next_month": m_end[row] == month + 1,
    })


def _local(seg: pd.DataFrame, rates: pd.DataFrame, as_of_month: int) -> pd.DataFrame:
    """Local cents per (customer, product, month, currency), in USD at M and restated at M+1."""
    g = seg.groupby(["customer_id", "product_id", "month", "currency"], as_index=False).agg(
        local=("cents", "sum"), qty=("quantity", "sum"))
    g = g.merge(rates, on=["currency", "month"], how="left")
    nxt = rates.assign(month=rates["month"] - 1).rename(columns={"rate": "rate_next"})
    g = g.merge(nxt, on=["currency", "month"], how="left")
    g["usd"] = rhu(g["local"] * g["rate"], 1_000_000)
    in_range = g["month"] < as_of_month
    g["restated_next"] = np.where(in_range, rhu(g["local"] * g["rate_next"].fillna(0).astype(np.int64), 1_000_000), 0)
    return g


def mrr(local: pd.DataFrame) -> pd.DataFrame:
    """customer x product x month MRR (USD > 0); MULTI when several currencies."""
    agg = local.groupby(["customer_id", "product_id", "month"], as_index=False).agg(
        mrr_usd=("usd", "sum"), mrr_local=("local", "sum"), n_cur=("currency", "size"),
        currency=("currency", "first"))
    multi = agg["n_cur"] > 1
    agg["currency"] = np.where(multi, "MULTI", agg["currency"])
    agg["mrr_local"] = agg["mrr_local"].astype("Int64").mask(multi)
    return agg[agg["mrr_usd"] > 0].drop(columns="n_cur").reset_index(drop=True)


def _product_set_names(masks: np.ndarray) -> np.ndarray:
    """Product-set bit masks as sorted, comma-separated product ids ('' when empty)."""
    names = {}
    for mask in np.unique(masks):
        names[mask] = ",".join(sorted(pid for pid, bit in PRODUCT_BIT.items() if mask & bit))
    return np.array([names[m] for m in masks], dtype=object) if len(masks) else np.array([], dtype=object)


def _grid(local: pd.DataFrame, as_of_month: int) -> pd.DataFrame:
    """(customer, product line, M) with MRR in M or M-1, and the amounts the movement rules need.

    Line amounts are sums of product amounts (each rounded per product and currency); the
    line's product sets in M-1 and M are bit masks of the products with MRR (> 0).
    """
    cur = local.groupby(["customer_id", "product_id", "month"], as_index=False).agg(usd=("usd", "sum"),
                                                                                    qty=("qty", "sum"))
    prev = local[local["month"] < as_of_month].groupby(["customer_id", "product_id", "month"], as_index=False).agg(
        prev_usd=("usd", "sum"), prev_restated=("restated_next", "sum"), prev_qty=("qty", "sum"))
    prev["month"] += 1
    products = cur.merge(prev, on=["customer_id", "product_id", "month"], how="outer").fillna(0)
    for col in ("usd", "qty", "prev_usd", "prev_restated", "prev_qty"):
        products[col] = products[col].astype(np.int64)
    products["product_line"] = products["product_id"].map(PRODUCT_LINE)
    bit = products["product_id"].map(PRODUCT_BIT).to_numpy(np.int64)
    products["after"] = np.where(products["usd"] > 0, bit, 0)
    products["before"] = np.where(products["prev_usd"] > 0, bit, 0)
    grid = products.groupby(["customer_id", "product_line", "month"], as_index=False)[
        ["usd", "qty", "prev_usd", "prev_restated", "prev_qty", "after", "before"]].sum()
    cust = cur.groupby(["customer_id", "month"])["usd"].sum()
    key = pd.MultiIndex.from_frame(grid[["customer_id", "month"]])
    grid["cust"] = cust.reindex(key, fill_value=0).to_numpy()
    prev_key = pd.MultiIndex.from_arrays([grid["customer_id"], grid["month"] - 1])
    grid["cust_prev"] = cust.reindex(prev_key, fill_value=0).to_numpy()
    first = cust[cust > 0].reset_index().groupby("customer_id")["month"].min()
    grid["first_month"] = first.reindex(grid["customer_id"]).to_numpy()
    return grid


def _classify(grid: pd.DataFrame) -> np.ndarray:
    """Business movement type per grid row (metrics.md table, per product line)."""
    delta = grid["usd"] - grid["prev_restated"]
    had, has = grid["cust_prev"] > 0, grid["cust"] > 0
    return np.select(
        [~had & has & (grid["month"] == grid["first_month"]), ~had & has, had & ~has,
         had & has & (grid["prev_usd"] == 0), had & has & (delta > 0), had & has & (delta < 0)],
        ["new", "win_back", "churn", "cross_sell", "upsell", "downsell"], "")


def movements(grid: pd.DataFrame) -> pd.DataFrame:
    """fx_adjustment rows and business movement rows per line (non-zero amounts only).

    Upsell/downsell effects: quantity = rhu(prev_restated * (q - q_prev) / q_prev) (0 when
    q_prev = 0); the rest is the price effect when the line's product set is unchanged, else
    the tier effect (a plan change).
    """
    delta = (grid["usd"] - grid["prev_restated"]).to_numpy()
    kind = _classify(grid)
    q_prev, q_cur = grid["prev_qty"].to_numpy(), grid["qty"].to_numpy()
    qe = rhu(grid["prev_restated"].to_numpy() * (q_cur - q_prev), np.maximum(q_prev, 1))
    qe = np.where(q_prev > 0, qe, 0)
    plan_change = grid["before"].to_numpy() != grid["after"].to_numpy()
    rest = delta - qe
    effects = np.isin(kind, ["upsell", "downsell"])

    def effect(values) -> pd.Series:
        return pd.Series(values, index=grid.index, dtype="Int64").mask(~effects)

    keys = grid[["customer_id", "product_line", "month"]].assign(
        products_before=_product_set_names(grid["before"].to_numpy()),
        products_after=_product_set_names(grid["after"].to_numpy()))
    business = keys.assign(movement_type=kind, mrr_change_usd=delta, quantity_effect_usd=effect(qe),
                           price_effect_usd=effect(np.where(plan_change, 0, rest)),
                           tier_effect_usd=effect(np.where(plan_change, rest, 0)))
    fx = keys.assign(movement_type="fx_adjustment", mrr_change_usd=(grid["prev_restated"] - grid["prev_usd"]).to_numpy(),
                     quantity_effect_usd=pd.NA, price_effect_usd=pd.NA, tier_effect_usd=pd.NA)
    out = pd.concat([business[delta != 0], fx[fx["mrr_change_usd"] != 0]], ignore_index=True)
    return out.sort_values(["customer_id", "product_line", "month", "movement_type"], ignore_index=True)


def customer_changes(grid: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """The customer view: per customer and month with MRR in M or M-1, the business change
    (upsell + cross_sell + downsell) netted into expansion (> 0) or contraction (< 0)."""
    months = grid.groupby(["customer_id", "month"], as_index=False).agg(
        starting=("prev_usd", "sum"), ending=("usd", "sum"))
    pivot = moves.pivot_table(index=["customer_id", "month"], columns="movement_type", values="mrr_change_usd",
                              aggfunc="sum", fill_value=0)
    out = months.merge(pivot.reset_index(), on=["customer_id", "month"], how="left")
    for kind in ("new", "upsell", "cross_sell", "downsell", "churn", "win_back", "fx_adjustment"):
        out[kind] = out[kind].fillna(0).astype(np.int64) if kind in out else 0
    business = (out["upsell"] + out["cross_sell"] + out["downsell"]).to_numpy(np.int64)
    out["expansion"] = np.maximum(business, 0)
    out["contraction"] = np.minimum(business, 0)
    out = out[(out["starting"] > 0) | (out["ending"] > 0)]
    return out.sort_values(["customer_id", "month"], ignore_index=True)


def _tenure(cust_months: pd.DataFrame) -> pd.Series:
    """Length of the run of consecutive MRR months ending at each (customer, month)."""
    cm = cust_months.sort_values(["customer_id", "month"], ignore_index=True)
    new_run = (cm["customer_id"] != cm["customer_id"].shift()) | (cm["month"] != cm["month"].shift() + 1)
    run = new_run.cumsum()
    length = run.map(run.value_counts())
    is_last = run != run.shift(-1)
    return pd.Series(length[is_last].to_numpy(),
                     index=pd.MultiIndex.from_frame(cm.loc[is_last, ["customer_id", "month"]]))


def churn_events(grid: pd.DataFrame, moves: pd.DataFrame, seg: pd.DataFrame, rates: pd.DataFrame,
                 subscriptions: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and month with a churn movement (design.md 'Churn events')."""
    churn = moves[moves["movement_type"] == "churn"].groupby(["customer_id", "month"], as_index=False).agg(
        churned=("mrr_change_usd", "sum"))
    churn["churned_mrr_usd"] = -churn.pop("churned")
    churned_key = churn[["customer_id", "month"]].assign(month=churn["month"] - 1)
    before = seg.merge(churned_key, on=["customer_id", "month"])
    ending = before[before["ends_next_month"]].groupby(["customer_id", "month"])["service_end"].max()
    churn["churn_date"] = ending.reindex(pd.MultiIndex.from_frame(churned_key)).to_numpy()
    per_sub = before.groupby(["customer_id", "month", "sub_idx", "currency"], as_index=False)["cents"].sum()
    per_sub = per_sub.merge(rates.assign(month=rates["month"] - 1), on=["currency", "month"])
    per_sub["usd"] = rhu(per_sub["cents"] * per_sub["rate"], 1_000_000)
    per_sub["subscription_id"] = subscriptions["subscription_id"].to_numpy()[per_sub["sub_idx"]]
    top = per_sub.groupby(["customer_id", "month", "subscription_id"], as_index=False)["usd"].sum()
    top = top.sort_values(["customer_id", "month", "usd", "subscription_id"], ascending=[True, True, False, True])
    top = top.drop_duplicates(["customer_id", "month"]).set_index(["customer_id", "month"])
    reason = subscriptions.set_index("subscription_id")["cancel_reason"]
    carrier = top["subscription_id"].reindex(pd.MultiIndex.from_frame(churned_key))
    churn["churn_reason"] = reason.reindex(carrier.to_numpy()).to_numpy()
    churn["churn_type"] = np.where(churn["churn_reason"] == "payment_failed", "involuntary", "voluntary")
    cust_months = grid.loc[grid["cust"] > 0, ["customer_id", "month"]].drop_duplicates()
    churn["tenure_months"] = _tenure(cust_months).reindex(pd.MultiIndex.from_frame(churned_key)).to_numpy()
    wins = moves.loc[moves["movement_type"] == "win_back", ["customer_id", "month"]].drop_duplicates()
    nxt = churn.merge(wins.rename(columns={"month": "wb"}), on="customer_id", how="left")
    nxt = nxt[nxt["wb"] > nxt["month"]].groupby(["customer_id", "month"])["wb"].min()
    wb = nxt.reindex(pd.MultiIndex.from_frame(churn[["customer_id", "month"]]))
    churn["is_won_back"] = wb.notna().to_numpy()
    churn["months_to_win_back"] = pd.array(wb.to_numpy() - churn["month"].to_numpy(), "Int64")
    return churn.rename(columns={"month": "churn_month"}).sort_values(["customer_id", "churn_month"],
                                                                      ignore_index=True)


def nps_monthly(responses: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Company-wide NPS per UTC month of submitted_at, after (survey, normalized email) dedupe.

    ``responses`` holds the real responses only (no fault rows): survey_id, survey_type,
    respondent_email, score, submitted_at (epoch seconds, UTC).
    """
    r = responses.assign(email_key=responses["respondent_email"].str.strip().str.lower())
    r = r.sort_values(["survey_id", "email_key", "submitted_at"]).drop_duplicates(["survey_id", "email_key"],
                                                                                   keep="last")
    r = r[r["survey_type"] == "nps"]
    month = month_of((r["submitted_at"].to_numpy() // 86_400).astype("datetime64[D]"))
    score = r["score"].to_numpy()
    stats = pd.DataFrame({"month": month, "promoters": score >= 9, "passives": (score >= 7) & (score <= 8),
                          "detractors": score <= 6}).groupby("month").sum()
    months = np.arange(window.first_month, window.as_of_month + 1)
    stats = stats.reindex(months, fill_value=0)
    n = (stats["promoters"] + stats["passives"] + stats["detractors"]).to_numpy()
    tenths = rhu(1000 * (stats["promoters"] - stats["detractors"]).to_numpy(), np.maximum(n, 1))
    return pd.DataFrame({
        "month": month_start(months).astype(str), "segment": "all", "responses": n,
        "promoters": stats["promoters"].to_numpy(), "passives": stats["passives"].to_numpy(),
        "detractors": stats["detractors"].to_numpy(),
        "nps": np.where(n > 0, _tenths_text(tenths), ""),
    })


def _tenths_text(tenths: np.ndarray) -> np.ndarray:
    """Integer tenths as text with one decimal ('-12.4')."""
    sign = np.where(tenths < 0, "-", "")
    a = np.abs(tenths)
    return np.char.add(np.char.add(sign, (a // 10).astype(str)), np.char.add(".", (a % 10).astype(str)))


def cents_text(cents) -> np.ndarray:
    """Integer cents as decimal text with exactly 2 decimals; NULL (pd.NA) stays empty."""
    arr = pd.array(cents, "Int64")
    if len(arr) == 0:
        return np.array([], dtype=str)
    null = arr.isna()
    c = np.asarray(arr.fillna(0), dtype=np.int64)
    a = np.abs(c)
    text = np.char.add(np.char.add(np.where(c < 0, "-", ""), (a // 100).astype(str)),
                       np.char.add(".", np.char.zfill((a % 100).astype(str), 2)))
    return np.where(null, "", text)


def mrr_truth(charges: pd.DataFrame, subscriptions: pd.DataFrame, billing_accounts: pd.DataFrame,
              rates: pd.DataFrame, window: Window) -> dict[str, pd.DataFrame]:
    """mrr, mrr_movements and churn_events as typed frames (months as month indexes, cents as int)."""
    seg = segment_months(charges, subscriptions, billing_accounts, window)
    currencies = sorted(billing_accounts["currency"].unique())
    first = int(seg["month"].min()) if len(seg) else window.first_month
    mr = month_rates(rates, currencies, first, window.as_of_month)
    local = _local(seg, mr, window.as_of_month)
    grid = _grid(local, window.as_of_month)
    moves = movements(grid)
    return {"mrr": mrr(local), "mrr_movements": moves, "customer_changes": customer_changes(grid, moves),
            "churn_events": churn_events(grid, moves, seg, mr, subscriptions)}


def to_csv_frames(typed: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The truth frames as written: YYYY-MM-01 months, 2-decimal money, sorted."""
    m = typed["mrr"].sort_values(["customer_id", "product_id", "month"])
    mrr_out = pd.DataFrame({"customer_id": m["customer_id"], "product_id": m["product_id"],
                            "month": month_start(m["month"].to_numpy()).astype(str),
                            "mrr_usd": cents_text(m["mrr_usd"]), "mrr_local": cents_text(m["mrr_local"]),
                            "currency": m["currency"]})
    mv = typed["mrr_movements"]
    mv_out = pd.DataFrame({"customer_id": mv["customer_id"], "product_line": mv["product_line"],
                           "month": month_start(mv["month"].to_numpy()).astype(str),
                           "movement_type": mv["movement_type"], "mrr_change_usd": cents_text(mv["mrr_change_usd"]),
                           "quantity_effect_usd": cents_text(mv["quantity_effect_usd"]),
                           "price_effect_usd": cents_text(mv["price_effect_usd"]),
                           "tier_effect_usd": cents_text(mv["tier_effect_usd"]),
                           "products_before": mv["products_before"], "products_after": mv["products_after"]})
    cc = typed["customer_changes"]
    cc_out = pd.DataFrame({"customer_id": cc["customer_id"], "month": month_start(cc["month"].to_numpy()).astype(str),
                           **{f"{col}_usd": cents_text(cc[col]) for col in (
                               "new", "win_back", "expansion", "contraction", "churn", "fx_adjustment")},
                           "starting_mrr_usd": cents_text(cc["starting"]), "ending_mrr_usd": cents_text(cc["ending"])})
    ce = typed["churn_events"]
    ce_out = pd.DataFrame({"customer_id": ce["customer_id"],
                           "churn_month": month_start(ce["churn_month"].to_numpy()).astype(str),
                           "churn_date": ce["churn_date"].to_numpy().astype("datetime64[D]").astype(str),
                           "churned_mrr_usd": cents_text(ce["churned_mrr_usd"]), "churn_type": ce["churn_type"],
                           "churn_reason": ce["churn_reason"], "tenure_months": ce["tenure_months"],
                           "is_won_back": np.where(ce["is_won_back"], "true", "false"),
                           "months_to_win_back": ce["months_to_win_back"]})
    return {"mrr": mrr_out, "mrr_movements": mv_out, "customer_changes": cc_out, "churn_events": ce_out}

