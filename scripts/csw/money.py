"""Exact money arithmetic shared by the generator and its truth: integer cents, no floats.

``rhu`` is the one rounding rule of docs/design.md ("Money and rounding"): division
rounded half away from zero, on int64 arrays.
"""

from __future__ import annotations

import numpy as np


def rhu(n, d) -> np.ndarray:
    """round_half_up(n / d) on int64 arrays, d > 0: sign(n) * ((2|n| + d) div 2d)."""
    n = np.asarray(n, dtype=np.int64)
    d = np.asarray(d, dtype=np.int64)
    return np.sign(n) * ((2 * np.abs(n) + d) // (2 * d))
