"""Who exists: CRM users, accounts (with merges), contacts and billing accounts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import DAY, Window, day_secs
from .ids import ids

FIRST = np.array("ana ben carla dev emma felix grace hiro ines jon kai lena mo nora omar pia raj sara tom uma "
                 "vic wen yara zoe".split())
LAST = np.array("smith tanaka muller garcia rossi dubois kim silva novak jensen okafor patel cohen brown "
                "schmidt sato martin lopez nguyen walsh".split())
WORDS = np.array("acme north blue apex lumen vector harbor summit nimbus orbit delta pioneer cedar falcon "
                 "quartz ember atlas beacon cobalt meridian".split())
SUFFIX = np.array(["Labs", "Systems", "Group", "GmbH", "Ltd", "Inc.", "Co., Ltd.", "Partners", "KK", "SAS"])
INDUSTRIES = np.array(["software", "retail", "healthcare", "finance", "manufacturing", "education",
                       "logistics", "media"])
TITLES = np.array(["CEO", "CTO", "Head of Operations", "IT Manager", "Engineer", "Analyst", "VP Sales",
                   "Support Lead", "Procurement"])
COUNTRIES = np.array(["US", "CA", "GB", "DE", "FR", "NL", "JP", "AU"])
COUNTRY_P = [0.46, 0.06, 0.12, 0.1, 0.06, 0.04, 0.1, 0.06]
COUNTRY_CURRENCY = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR",
                    "JP": "JPY", "AU": "USD"}
SIZE_P = [0.62, 0.27, 0.11]  # smb, mid_market, enterprise
EMPLOYEES = [(3, 99), (100, 999), (1000, 60_000)]
ROLES = ["csm", "account_manager", "support", "sales"]
ROLE_PER_ACCOUNTS = [120, 300, 200, 300]


def _names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random first and last names."""
    return rng.choice(FIRST, n), rng.choice(LAST, n)


def make_users(rng: np.random.Generator, n_accounts: int) -> pd.DataFrame:
    """Internal users by role; a few are inactive."""
    roles = np.concatenate([np.full(max(3, n_accounts // per), r) for r, per in zip(ROLES, ROLE_PER_ACCOUNTS)])
    n = len(roles)
    first, last = _names(rng, n)
    return pd.DataFrame({
        "user_id": ids("USR-", n, 5),
        "full_name": np.char.add(np.char.add(np.char.capitalize(first), " "), np.char.capitalize(last)),
        "email": np.char.add(np.char.add(np.char.add(first, "."), np.char.add(last, np.arange(n).astype(str))),
                             "@csw-vendor.example"),
        "role": roles,
        "is_active": rng.random(n) > 0.08,
        "created_at": day_secs(np.full(n, np.datetime64("2020-01-01"))),
    })


def _merge_targets(rng: np.random.Generator, n: int) -> np.ndarray:
    """merged_into index per account (-1 = none): simple merges plus A->B->C chains."""
    into = np.full(n, -1)
    n_chains = max(1, n // 500) if n >= 30 else 0
    n_simple = min(max(2, n // 80), (n - 3 * n_chains) // 2)
    pick = rng.permutation(n)[: 3 * n_chains + 2 * n_simple]
    chains = pick[: 3 * n_chains].reshape(-1, 3)
    into[chains[:, 0]] = chains[:, 1]
    into[chains[:, 1]] = chains[:, 2]
    pairs = pick[3 * n_chains:].reshape(-1, 2)
    into[pairs[:, 0]] = pairs[:, 1]
    return into


def _survivors(into: np.ndarray) -> np.ndarray:
    """Index of the account each account ends up in, following merge chains."""
    surv = np.arange(len(into))
    while True:
        nxt = np.where(into[surv] >= 0, into[surv], surv)
        if np.array_equal(nxt, surv):
            return surv
        surv = nxt


def make_accounts(rng: np.random.Generator, n: int, window: Window, users: pd.DataFrame) -> pd.DataFrame:
    """CRM accounts with size, country, currency, planned start of business and merges."""
    size = rng.choice(3, n, p=SIZE_P)
    lo = np.array([EMPLOYEES[s][0] for s in size])
    hi = np.array([EMPLOYEES[s][1] for s in size])
    employees = np.exp(rng.uniform(np.log(lo), np.log(hi + 1))).astype(np.int64)
    country = rng.choice(COUNTRIES, n, p=COUNTRY_P)
    # A third of the accounts form the opening base; the rest arrive over the window.
    early = rng.random(n) < 0.35
    start_day = np.where(early, rng.integers(0, min(45, window.days), n), rng.integers(0, window.days, n))
    start = window.start + start_day
    created = day_secs(start) - rng.integers(1, 120, n) * DAY - rng.integers(0, DAY, n)
    csms = users.loc[users.role == "csm", "user_id"].to_numpy()
    into = _merge_targets(rng, n)
    account_id = ids("ACC-", n, 7)
    name = np.char.add(np.char.add(np.char.capitalize(rng.choice(WORDS, n)), " "), rng.choice(SUFFIX, n))
    return pd.DataFrame({
        "account_id": account_id,
        "account_name": np.char.add(np.char.add(name, " "), np.arange(1, n + 1).astype(str)),
        "industry": rng.choice(INDUSTRIES, n),
        "employee_count": employees,
        "employee_null": rng.random(n) < 0.05,
        "country_code": country,
        "currency": [COUNTRY_CURRENCY[c] for c in country],
        "owner_user_id": np.where(rng.random(n) < 0.05, None, rng.choice(csms, n)),
        "created_at": created,
        "merged_into": into,
        "merged_into_account_id": np.where(into >= 0, account_id[np.maximum(into, 0)], None),
        "survivor": _survivors(into),
        "size": size,
        "is_prospect": rng.random(n) < 0.1,
        "start": start,
        "sentiment": rng.normal(0, 1, n),
    })


def make_contacts(rng: np.random.Generator, accounts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Contacts per account (more for bigger accounts); a few share an email across accounts."""
    per = rng.integers(1, 4, len(accounts)) + accounts["size"].to_numpy() * rng.integers(1, 4, len(accounts))
    acct = np.repeat(np.arange(len(accounts)), per)
    n = len(acct)
    first, last = _names(rng, n)
    seq = np.arange(n) - np.repeat(np.cumsum(per) - per, per)
    domain = np.char.add(np.char.lower(np.char.replace(accounts["account_name"].to_numpy(str)[acct], " ", "-")),
                         ".example")
    domain = np.char.replace(np.char.replace(domain, ",", ""), ".-", "-")
    email = np.char.add(np.char.add(np.char.add(first, "."), np.char.add(last, seq.astype(str))),
                        np.char.add("@", domain))
    end = day_secs(np.array([window.end]))[0]
    created = np.minimum(accounts["created_at"].to_numpy()[acct] + rng.integers(0, 300, n) * DAY, end)
    # Consultants: an email already used by a contact of another account, created later.
    shared = np.flatnonzero(rng.random(n) < 0.004)
    source = rng.integers(0, n, len(shared))
    email[shared] = email[source]
    created[shared] = np.maximum(created[shared], created[source] + DAY)
    return pd.DataFrame({
        "contact_id": ids("CON-", n, 8),
        "account_idx": acct,
        "account_id": accounts["account_id"].to_numpy()[acct],
        "email": email,
        "full_name": np.char.add(np.char.add(np.char.capitalize(first), " "), np.char.capitalize(last)),
        "title": rng.choice(TITLES, n),
        "created_at": created,
    })


def make_billing_accounts(rng: np.random.Generator, accounts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """One billing account per buying CRM account, plus some with no CRM match.

    Unmatched ones have a NULL ``crm_account_id`` or one that names no CRM account;
    their customer id is ``billing:<billing_account_id>``.
    """
    buyers = accounts[~accounts["is_prospect"]]
    n_un = max(2, len(accounts) * 3 // 100)
    acct_idx = np.concatenate([buyers.index.to_numpy(), np.full(n_un, -1)])
    n = len(acct_idx)
    ba_id = ids("BA-", n, 7)
    dangling = ids("ACC-9", n_un, 6)
    crm_id = np.concatenate([buyers["account_id"].to_numpy(),
                             np.where(np.arange(n_un) % 2 == 0, None, dangling)]).astype(object)
    currency = np.concatenate([buyers["currency"].to_numpy(),
                               rng.choice(["USD", "EUR", "GBP", "JPY", "CAD"], n_un)])
    start = np.concatenate([buyers["start"].to_numpy(), window.start + rng.integers(0, window.days, n_un)])
    surv = accounts["survivor"].to_numpy()
    customer = np.where(acct_idx >= 0, accounts["account_id"].to_numpy()[surv[np.maximum(acct_idx, 0)]],
                        np.char.add("billing:", ba_id))
    size = np.where(acct_idx >= 0, accounts["size"].to_numpy()[np.maximum(acct_idx, 0)], rng.choice(3, n, p=SIZE_P))
    return pd.DataFrame({
        "billing_account_id": ba_id,
        "crm_account_id": crm_id,
        "currency": currency,
        "created_at": day_secs(start) - rng.integers(0, 10 * DAY, n),
        "account_idx": acct_idx,
        "customer_id": customer,
        "size": size,
        "start": start,
    })
