"""Survey responses: quarterly NPS to contacts of live customers, CSAT after solved tickets.

Also present (always, not faults): answers submitted twice (same survey, the
email in another case or with spaces; the later one wins), respondents whose
email matches no contact, responses with and without ``crm_account_id``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import DAY, day_secs, month_start
from .engagement import Context
from .ids import ids

COMMENTS = np.array(["Great product", "Too expensive for what we use", "Support is slow", "Love the dashboards",
                     "Missing integrations, e.g. SAP"])


def _nps(rng: np.random.Generator, ctx: Context) -> pd.DataFrame:
    """One quarterly NPS survey; each contact of an account in service is asked with p = 0.3."""
    w = ctx.window
    quarters = np.arange(w.first_month - w.first_month % 3, w.as_of_month + 1, 3)
    sent = day_secs(month_start(quarters)) + 14 * DAY
    lives = ctx.linked_lives
    frames = []
    for q, at in zip(quarters, sent):
        live = lives[(day_secs(lives["svc_from"].to_numpy()) <= at) & (day_secs(lives["svc_to"].to_numpy()) > at)]
        c = ctx.contacts[ctx.contacts["account_idx"].isin(live["acct"].to_numpy())]
        c = c[rng.random(len(c)) < 0.3]
        year, qn = 1970 + q // 12, q % 12 // 3 + 1
        frames.append(pd.DataFrame({"survey_id": f"NPS-{year}Q{qn}", "acct": c["account_idx"].to_numpy(),
                                    "email": c["email"].to_numpy(str),
                                    "submitted_at": at + rng.integers(0, 40 * DAY, len(c))}))
    r = pd.concat(frames, ignore_index=True)
    acct, risk = r["acct"].to_numpy(), ctx.risk(r["acct"].to_numpy(), r["submitted_at"].to_numpy())
    mu = 7.9 + 0.8 * ctx.accounts["sentiment"].to_numpy()[acct] - 3.5 * risk
    r["score"] = np.clip(np.round(rng.normal(mu, 1.8)), 0, 10).astype(np.int64)
    return r.assign(survey_type="nps")


def _csat(rng: np.random.Generator, tickets: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """A monthly CSAT survey answered by some ticket requesters (1-5)."""
    t = tickets[rng.random(len(tickets)) < 0.15]
    at = t["created_at"].to_numpy() + rng.integers(DAY, 5 * DAY, len(t))
    month = (at // DAY).astype("datetime64[D]").astype("datetime64[M]").astype(str)
    acct = orgs.set_index("organization_id")["acct"].reindex(t["organization_id"]).to_numpy()
    score = np.clip(np.round(rng.normal(4.2 - 1.5 * t["risk"].to_numpy(), 0.9)), 1, 5).astype(np.int64)
    return pd.DataFrame({"survey_id": np.char.add("CSAT-", month), "acct": acct, "email": t["requester_email"].to_numpy(str),
                         "submitted_at": at, "score": score, "survey_type": "csat"})


def _messy_email(rng: np.random.Generator, email: np.ndarray) -> np.ndarray:
    """The same address as typed differently: upper case and/or surrounding spaces."""
    pick = rng.integers(0, 3, len(email))
    return np.select([pick == 0, pick == 1], [np.char.upper(email), np.char.add(" ", np.char.add(email, " "))],
                     np.char.add(np.char.capitalize(email), " "))


def make_responses(rng: np.random.Generator, ctx: Context, tickets: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """All real responses (typed); submitted_at is unique per (survey, respondent) so 'latest wins' is defined."""
    r = pd.concat([_nps(rng, ctx), _csat(rng, tickets, orgs)], ignore_index=True)
    again = r[rng.random(len(r)) < 0.05]
    again = again.assign(email=_messy_email(rng, again["email"].to_numpy(str)),
                         submitted_at=again["submitted_at"] + rng.integers(3600, 5 * DAY, len(again)),
                         score=np.where(again["survey_type"] == "nps", rng.integers(0, 11, len(again)),
                                        rng.integers(1, 6, len(again))))
    strangers = r[rng.random(len(r)) < 0.04]
    strangers = strangers.assign(email=np.char.add(np.char.add("visitor", np.arange(len(strangers)).astype(str)),
                                                   "@mail.example"),
                                 acct=np.where(rng.random(len(strangers)) < 0.5, strangers["acct"], np.nan))
    r = pd.concat([r, again, strangers], ignore_index=True)
    r = r[r["submitted_at"] <= ctx.end_secs]
    r = r.sort_values("submitted_at", kind="stable", ignore_index=True)
    # Strictly increasing seconds: no two submissions tie.
    s = r["submitted_at"].to_numpy() - np.arange(len(r))
    r["submitted_at"] = np.maximum.accumulate(s) + np.arange(len(r))
    r = r[r["submitted_at"] <= ctx.end_secs].reset_index(drop=True)
    acct = r["acct"].to_numpy()
    has_acct = ~np.isnan(acct) & (rng.random(len(r)) < 0.6)
    account_id = ctx.accounts["account_id"].to_numpy()
    r["crm_account_id"] = np.where(has_acct, account_id[np.nan_to_num(acct).astype(np.int64)], None)
    r["comment"] = np.where(rng.random(len(r)) < 0.25, rng.choice(COMMENTS, len(r)), None)
    r.insert(0, "response_id", ids("RSP-", len(r), 8))
    return r.rename(columns={"email": "respondent_email"})
