"""Help desk: organizations, tickets, their event history and satisfaction ratings.

Accounts inside a warning window open more tickets, escalate more (priority
to urgent, group to ``escalations``), wait longer and rate worse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engagement import Context, events_in, life_months
from .ids import ids

CHANNELS = np.array(["email", "web", "chat", "phone"])
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
REPLY_MINUTES = np.array([900.0, 300.0, 120.0, 30.0])  # median first reply by priority
TICKET_RATE = np.array([0.25, 0.6, 1.5])  # per account-month, by size
SUBJECTS = np.array(["Cannot log in", "Export fails", "Billing question", "Feature request: SSO",
                     "Slow dashboard", "API error 500", "How do I add seats?", "Data looks wrong, please check"])
MIN = 60


def make_organizations(rng: np.random.Generator, ctx: Context) -> pd.DataFrame:
    """One organization for most accounts; a few are not linked to the CRM."""
    acc = ctx.accounts
    has = rng.random(len(acc)) < 0.95
    idx = np.flatnonzero(has)
    crm = np.where(rng.random(len(idx)) < 0.03, None, acc["account_id"].to_numpy()[idx])
    return pd.DataFrame({
        "organization_id": ids("ORG-", len(idx), 7),
        "crm_account_id": crm, "organization_name": acc["account_name"].to_numpy()[idx], "acct": idx})


def make_tickets(rng: np.random.Generator, ctx: Context, orgs: pd.DataFrame):
    """Tickets, ticket events and satisfaction ratings (typed frames)."""
    org_of = pd.Series(np.arange(len(orgs)), index=orgs["acct"].to_numpy())
    grid = life_months(ctx.linked_lives)
    grid = grid[grid["acct"].isin(org_of.index)].reset_index(drop=True)
    size = ctx.accounts["size"].to_numpy()[grid["acct"]]
    mid = (grid["from_secs"] + grid["to_secs"]).to_numpy() // 2
    rate = TICKET_RATE[size] * (1 + 1.5 * ctx.risk(grid["acct"].to_numpy(), mid))
    t = events_in(rng, grid, rate).sort_values(["secs", "acct"], kind="stable", ignore_index=True)
    n = len(t)
    acct = t["acct"].to_numpy()
    risk = ctx.risk(acct, t["secs"].to_numpy())
    email = ctx.contacts["email"].to_numpy(str)[ctx.contact_of(rng, acct)]
    email = np.where(rng.random(n) < 0.05, np.char.upper(email), email)
    tickets = pd.DataFrame({
        "ticket_id": ids("TKT-", n, 8),
        "organization_id": orgs["organization_id"].to_numpy()[org_of.loc[acct].to_numpy()],
        "requester_email": email, "channel": rng.choice(CHANNELS, n, p=[.4, .3, .2, .1]),
        "priority_idx": rng.choice(4, n, p=[.2, .55, .2, .05]), "subject": rng.choice(SUBJECTS, n),
        "created_at": t["secs"].to_numpy(), "risk": risk,
    })
    events = _events(rng, tickets, ctx.end_secs)
    tickets["priority"] = np.where(_escalated_priority(events, n), "urgent", PRIORITIES[tickets["priority_idx"]])
    tickets["status"] = _status(events, n)
    ratings = _ratings(rng, tickets, events, ctx.end_secs)
    return tickets, events, ratings


def _event(ticket: np.ndarray, at: np.ndarray, actor: str, kind: str, public, value) -> pd.DataFrame:
    return pd.DataFrame({"t": ticket, "created_at": at, "actor_type": actor, "event_type": kind,
                         "is_public": public, "new_value": value})


def _events(rng: np.random.Generator, tk: pd.DataFrame, end_secs: int) -> pd.DataFrame:
    """Replies, end-user comments, internal notes, escalations, status changes; none after as-of."""
    n = len(tk)
    created = tk["created_at"].to_numpy()
    risk = tk["risk"].to_numpy()
    t = np.arange(n)
    reply = created + (REPLY_MINUTES[tk["priority_idx"]] * rng.lognormal(0, 0.8, n) * (1 + risk) * MIN).astype(np.int64)
    replied = rng.random(n) < 0.92
    solved_at = reply + (rng.lognormal(np.log(20 * 60), 1.0, n) * (1 + risk) * MIN).astype(np.int64)
    solved = replied & (rng.random(n) < 0.9)
    pending = replied & (rng.random(n) < 0.2)
    user_comment = replied & (rng.random(n) < 0.5)
    to_urgent = rng.random(n) < 0.04 + 0.2 * risk
    to_escalations = rng.random(n) < 0.03 + 0.15 * risk
    regroup = rng.random(n) < 0.1
    note = replied & (rng.random(n) < 0.2)
    parts = [
        _event(t[replied], reply[replied], "agent", "comment", True, None),
        _event(t[replied], reply[replied] + 1, "agent", "status_change", None, "open"),
        _event(t[pending], reply[pending] + 3600, "agent", "status_change", None, "pending"),
        _event(t[user_comment], reply[user_comment] + rng.integers(3600, 2 * 86_400, user_comment.sum()),
               "end_user", "comment", True, None),
        _event(t[note], reply[note] + 600, "agent", "comment", False, None),
        _event(t[to_urgent], created[to_urgent] + rng.integers(600, 86_400, to_urgent.sum()), "agent",
               "priority_change", None, "urgent"),
        _event(t[to_escalations], created[to_escalations] + rng.integers(600, 86_400, to_escalations.sum()),
               "system", "group_change", None, "escalations"),
        _event(t[regroup], created[regroup] + rng.integers(60, 7200, regroup.sum()), "system", "group_change",
               None, rng.choice(["billing", "tier2", "onboarding"], regroup.sum())),
        _event(t[solved], solved_at[solved], "agent", "status_change", None, "solved"),
        _event(t[solved], solved_at[solved] + 4 * 86_400, "system", "status_change", None, "closed"),
    ]
    ev = pd.concat(parts, ignore_index=True)
    ev = ev[ev["created_at"] <= end_secs].sort_values(["t", "created_at"], kind="stable", ignore_index=True)
    ev["is_public"] = np.where(ev["event_type"] == "comment", ev["is_public"].fillna(False), False)
    ev.insert(0, "event_id", ids("EVT-", len(ev), 9))
    ev["ticket_id"] = tk["ticket_id"].to_numpy()[ev["t"]]
    return ev


def _escalated_priority(ev: pd.DataFrame, n: int) -> np.ndarray:
    """Tickets whose priority was raised to urgent."""
    up = np.zeros(n, bool)
    up[ev.loc[ev["event_type"] == "priority_change", "t"].to_numpy()] = True
    return up


def _status(ev: pd.DataFrame, n: int) -> np.ndarray:
    """Latest status change per ticket as of the as-of date; ``new`` when none."""
    sc = ev[ev["event_type"] == "status_change"].drop_duplicates("t", keep="last")
    status = np.full(n, "new", dtype=object)
    status[sc["t"].to_numpy()] = sc["new_value"].to_numpy()
    return status


def _ratings(rng: np.random.Generator, tk: pd.DataFrame, ev: pd.DataFrame, end_secs: int) -> pd.DataFrame:
    """Ratings on some solved tickets (bad more often under risk); some re-rated later."""
    solved = ev[ev["new_value"] == "solved"]
    t = solved["t"].to_numpy()
    pick = rng.random(len(t)) < 0.35
    t, at = t[pick], solved["created_at"].to_numpy()[pick] + rng.integers(3600, 3 * 86_400, pick.sum())
    bad = rng.random(len(t)) < 0.12 + 0.35 * tk["risk"].to_numpy()[t]
    again = rng.random(len(t)) < 0.1
    r = pd.concat([
        pd.DataFrame({"t": t, "created_at": at, "bad": bad}),
        pd.DataFrame({"t": t[again], "created_at": at[again] + rng.integers(86_400, 10 * 86_400, again.sum()),
                      "bad": ~bad[again]}),
    ], ignore_index=True)
    r = r[r["created_at"] <= end_secs].sort_values(["created_at", "t"], kind="stable", ignore_index=True)
    r["score"] = np.where(r["bad"], "bad", "good")
    r["comment"] = np.where(r["bad"], "Took too long, still not fixed", np.where(rng.random(len(r)) < 0.3, "Thanks!", None))
    r["ticket_id"] = tk["ticket_id"].to_numpy()[r["t"]]
    r.insert(0, "rating_id", ids("RAT-", len(r), 8))
    return r
