"""Fault injection on raw text tables, with exact bookkeeping for the truth.

Every injected row is accounted for per docs/design.md "Staging rules":
duplicates and late updates add *superseded* rows (always extracted earlier
than the real row), soft deletes add spurious fresh-key records seen once
alive and then deleted (one superseded + one deleted row), bad rows add
fresh-key rows that break exactly one rule (quarantined, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .calendar import DAY
from .ids import ids
from .rawtable import RawTable

HOUR = 3600


@dataclass
class Ledger:
    """Row accounting of one table across all its written chunks."""

    raw: int = 0
    superseded: int = 0
    deleted: int = 0
    quarantined: int = 0
    quarantine: list[tuple[str, str]] = field(default_factory=list)  # (record_key, reason)
    fresh: int = 0  # fresh keys handed out so far

    @property
    def staged(self) -> int:
        return self.raw - self.superseded - self.deleted - self.quarantined


@dataclass(frozen=True)
class FaultPlan:
    """Which faults are on and how many bad rows of each kind to add."""

    faults: frozenset[str]
    bad_copies: int
    weekend_days: np.ndarray  # fresh rate_date values for exchange-rate keys (no rates on weekends)


def _sample(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """Indexes of about ``share`` of n rows (at least one when n > 0)."""
    k = min(n, max(1, int(round(n * share)))) if n else 0
    return np.sort(rng.choice(n, k, replace=False))


def _fresh_keys(table: RawTable, ledger: Ledger, plan: FaultPlan) -> RawTable:
    """The same rows under keys that never collide with real ones."""
    n = len(table)
    seq = np.arange(ledger.fresh, ledger.fresh + n)
    ledger.fresh += n
    spec = table.spec
    if spec.key == ("currency", "rate_date"):
        return table.with_column("rate_date", pa.array(plan.weekend_days[seq].astype(str)))
    return table.with_column(spec.key[0], pa.array(ids(spec.prefix, seq, 6)))


def _duplicates(rng, table: RawTable) -> RawTable:
    """Identical copies of some rows, extracted earlier than the real row."""
    copy = table.take(_sample(rng, len(table), 0.01))
    return copy.with_loaded(copy.loaded - rng.integers(HOUR, 20 * DAY, len(copy)))


def _late_updates(rng, table: RawTable) -> RawTable:
    """Earlier versions of some rows with one updatable column holding another row's value.

    Half of them show ``_loaded_at`` in +09:00, so the local clock reads later than it is.
    """
    idx = _sample(rng, len(table), 0.01)
    old = table.take(idx)
    changed = rng.integers(0, len(table.spec.updatable), len(idx))
    donor = rng.integers(0, len(table), len(idx))
    for j, col in enumerate(table.spec.updatable):
        values = table.cols[col].take(pa.array(np.where(changed == j, donor, idx)))
        old = old.with_column(col, values)
    return old.with_loaded(old.loaded - rng.integers(DAY, 60 * DAY, len(old)), rng.choice([0, 1], len(old)))


def _soft_deletes(rng, table: RawTable, ledger: Ledger, plan: FaultPlan) -> list[RawTable]:
    """Spurious records: alive in an early extract, ``_is_deleted = true`` in a later one."""
    alive = _fresh_keys(table.take(_sample(rng, len(table), 0.003)), ledger, plan)
    alive = alive.with_loaded(alive.loaded - rng.integers(20 * DAY, 60 * DAY, len(alive)))
    gone = alive.with_loaded(alive.loaded + rng.integers(DAY, 19 * DAY, len(alive)))
    return [alive, gone.with_column("_is_deleted", "true")]


def _bad_rows(rng, table: RawTable, ledger: Ledger, plan: FaultPlan) -> list[RawTable]:
    """Fresh-key rows, each breaking exactly one staging rule; logged with their reason."""
    out = []
    for reason, column, value, where in table.spec.bad_rules():
        pool = np.arange(len(table))
        if where is not None:
            pool = np.flatnonzero(np.asarray(table.cols[where[0]].to_pylist()) == where[1])
        if len(pool) == 0:
            continue
        rows = _fresh_keys(table.take(rng.choice(pool, plan.bad_copies)), ledger, plan)
        if reason == "invalid_range:effective_to":
            start = np.asarray(rows.cols["effective_from"].to_pylist(), dtype="datetime64[D]")
            rows = rows.with_column(column, pa.array((start - 30).astype(str)))
        else:
            rows = rows.with_column(column, value)
        key = [np.asarray(rows.cols[k].to_pylist(), dtype=object) for k in table.spec.key]
        for i in range(len(rows)):
            ledger.quarantine.append(("|".join("" if k[i] is None else k[i] for k in key), reason))
        out.append(rows)
    return out


def inject(rng: np.random.Generator, table: RawTable, ledger: Ledger, plan: FaultPlan,
           with_bad_rows: bool = True) -> RawTable:
    """The table with the planned faults appended; ``ledger`` updated."""
    extra_superseded, deleted, bad = [], [], []
    if "duplicates" in plan.faults:
        extra_superseded.append(_duplicates(rng, table))
    if "late_updates" in plan.faults:
        extra_superseded.append(_late_updates(rng, table))
    if "soft_deletes" in plan.faults:
        alive, gone = _soft_deletes(rng, table, ledger, plan)
        extra_superseded.append(alive)
        deleted.append(gone)
    if "bad_rows" in plan.faults and with_bad_rows:
        bad = _bad_rows(rng, table, ledger, plan)
    parts = [table, *extra_superseded, *deleted, *bad]
    ledger.raw += sum(len(p) for p in parts)
    ledger.superseded += sum(len(p) for p in extra_superseded)
    ledger.deleted += sum(len(p) for p in deleted)
    ledger.quarantined += sum(len(p) for p in bad)
    return RawTable.concat(parts)
