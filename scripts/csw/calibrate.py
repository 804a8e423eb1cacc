"""``csw calibrate-health``: fit the health component weights on the warehouse's own history.

The health score stays the explainable weighted mean of five 0-100 components (a missing
component gives its weight to the others). This command only chooses the weights:

1. Data: every health snapshot with a complete 90-day outcome window
   (``marts.fct_health_backtest_snapshots``) and its component scores
   (``marts.fct_customer_health``). The components are measured at the snapshot date with no
   look-ahead (each component model documents its window), so a snapshot's features never
   see its own future; the outcome is a churn in the 90 days after the snapshot.
2. Out-of-time split at a month S (default: the month that leaves about a third of the
   snapshot months for validation): train on the snapshots whose whole outcome window ended
   before S (``outcome_window_end_date < S``), validate on the snapshots of month S and later.
   No training label comes from the validation period.
3. A logistic regression (scikit-learn) of churn-within-90-days on the five shortfalls
   ``(100 - score) / 100``; a missing component is imputed with its training mean. The
   weights are the positive parts of the coefficients, scaled to integers summing to 100
   (at least 1 each: a weight of 0 would drop a component from the explanation).
4. Both weight sets are scored exactly as ``fct_customer_health`` scores them and compared
   on the validation snapshots (ROC AUC). ``seeds/health_weights.csv`` gets the fitted
   weights in ``weight`` (the hand weights stay in ``hand_weight``) and
   ``seeds/health_weights_fit.csv`` the fit's figures. Rebuild (`csw build`) to apply them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np

COMPONENTS = ("adoption", "engagement", "support", "sentiment", "financial")
HAND_WEIGHTS = {"adoption": 30, "engagement": 10, "support": 20, "sentiment": 20, "financial": 20}

QUERY = """
select
    s.customer_id, s.month, s.outcome_window_end_date, s.churned_within_90d,
    h.adoption_score, h.engagement_score, h.support_score, h.sentiment_score, h.financial_score
from marts.fct_health_backtest_snapshots as s
inner join marts.fct_customer_health as h
    on s.customer_id = h.customer_id and s.month = h.month
order by s.month, s.customer_id
"""


class CalibrationError(RuntimeError):
    """Not enough history to fit (no warehouse, too few snapshots or churns)."""


@dataclass
class Fit:
    split_month: date
    train_snapshots: int
    train_churned: int
    valid_snapshots: int
    valid_churned: int
    coefficients: dict[str, float]
    intercept: float
    hand_weights: dict[str, int]
    fitted_weights: dict[str, int]
    auc: dict[str, dict[str, float]] = field(default_factory=dict)  # set -> {train, valid}


def weighted_score(scores: np.ndarray, weights: dict[str, int]) -> np.ndarray:
    """fct_customer_health's score: weighted mean over the present (non-NaN) components."""
    w = np.array([weights[c] for c in COMPONENTS], dtype=float)
    present = ~np.isnan(scores)
    num = np.where(present, scores, 0.0) @ w
    den = present.astype(float) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.round(num / den, 1)


def roc_auc(score: np.ndarray, churned: np.ndarray) -> float:
    """AUC of the score for NOT churning (higher score = healthier), ties count one half."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(~churned, score))


def integer_weights(coef: np.ndarray) -> dict[str, int]:
    """Positive parts of the (shortfall) coefficients as integers summing to 100, each >= 1."""
    raw = np.clip(coef, 0, None)
    if raw.sum() <= 0:
        raise CalibrationError("no component's shortfall raises the churn odds: nothing to fit")
    share = raw / raw.sum() * 100
    weights = np.maximum(1, np.floor(share)).astype(int)
    # hand out the remainder by largest fractional part (largest-remainder rounding)
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    i = 0
    while weights.sum() < 100:
        weights[order[i % len(order)]] += 1
        i += 1
    while weights.sum() > 100:
        j = int(np.argmax(weights))
        weights[j] -= 1
    return {c: int(w) for c, w in zip(COMPONENTS, weights, strict=True)}


def _load(db_path: Path) -> dict[str, np.ndarray]:
    if not db_path.is_file():
        raise CalibrationError(f"warehouse not found: {db_path} (run `csw build` first)")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(QUERY).fetchall()
    finally:
        con.close()
    if not rows:
        raise CalibrationError("no health snapshot with a complete 90-day outcome window")
    cols = list(zip(*rows, strict=True))
    scores = np.array(
        [[np.nan if v is None else float(v) for v in col] for col in cols[4:9]], dtype=float
    ).T
    return {
        "month": np.array(cols[1], dtype="datetime64[D]"),
        "window_end": np.array(cols[2], dtype="datetime64[D]"),
        "churned": np.array(cols[3], dtype=bool),
        "scores": scores,
    }


def default_split_month(months: np.ndarray) -> date:
    distinct = np.unique(months)
    return distinct[int(len(distinct) * 2 / 3)].astype(object)


def fit(db_path: Path | str, split_month: date | None = None,
        hand_weights: dict[str, int] | None = None) -> Fit:
    from sklearn.linear_model import LogisticRegression

    hand = dict(hand_weights or HAND_WEIGHTS)
    data = _load(Path(db_path))
    split = split_month or default_split_month(data["month"])
    split64 = np.datetime64(split, "D")
    train = data["window_end"] < split64
    valid = data["month"] >= split64
    for name, mask in (("training", train), ("validation", valid)):
        if mask.sum() < 100 or data["churned"][mask].sum() < 10:
            raise CalibrationError(
                f"too little {name} data at split {split}: {int(mask.sum())} snapshots, "
                f"{int(data['churned'][mask].sum())} churned (need 100 and 10)"
            )
    shortfall = (100.0 - data["scores"]) / 100.0
    means = np.nanmean(shortfall[train], axis=0)
    means = np.where(np.isnan(means), 0.0, means)
    x = np.where(np.isnan(shortfall), means, shortfall)
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(x[train], data["churned"][train])
    coef = model.coef_[0]
    fitted = integer_weights(coef)
    result = Fit(
        split_month=split,
        train_snapshots=int(train.sum()), train_churned=int(data["churned"][train].sum()),
        valid_snapshots=int(valid.sum()), valid_churned=int(data["churned"][valid].sum()),
        coefficients={c: float(v) for c, v in zip(COMPONENTS, coef, strict=True)},
        intercept=float(model.intercept_[0]),
        hand_weights=hand, fitted_weights=fitted,
    )
    for name, weights in (("hand", hand), ("fitted", fitted)):
        score = weighted_score(data["scores"], weights)
        result.auc[name] = {
            part: roc_auc(score[mask], data["churned"][mask])
            for part, mask in (("train", train), ("valid", valid))
        }
    return result


def read_hand_weights(seed_path: Path) -> dict[str, int]:
    """hand_weight (or weight, before the first calibration) of seeds/health_weights.csv."""
    with seed_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    key = "hand_weight" if rows and "hand_weight" in rows[0] else "weight"
    return {r["component"]: int(r[key]) for r in rows}


def write_seeds(result: Fit, seeds_dir: Path, fitted_at: datetime | None = None) -> None:
    """Fitted weights into health_weights.csv (hand weights kept) and the figures beside it."""
    with (seeds_dir / "health_weights.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["component", "weight", "hand_weight", "fitted_coefficient"])
        for c in COMPONENTS:
            w.writerow([c, result.fitted_weights[c], result.hand_weights[c],
                        f"{result.coefficients[c]:.6f}"])
    at = (fitted_at or datetime.now(UTC)).date().isoformat()
    figures = [
        ("fitted_on", at, ""),
        ("split_month", result.split_month.isoformat(), ""),
        ("train_snapshots", result.train_snapshots, ""),
        ("train_churned_within_90d", result.train_churned, ""),
        ("valid_snapshots", result.valid_snapshots, ""),
        ("valid_churned_within_90d", result.valid_churned, ""),
        ("intercept", f"{result.intercept:.6f}", ""),
        ("roc_auc_train", f"{result.auc['hand']['train']:.4f}", f"{result.auc['fitted']['train']:.4f}"),
        ("roc_auc_valid", f"{result.auc['hand']['valid']:.4f}", f"{result.auc['fitted']['valid']:.4f}"),
    ]
    with (seeds_dir / "health_weights_fit.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["figure", "value", "fitted_value"])
        w.writerows(figures)
