"""Readable, zero-padded record ids."""

from __future__ import annotations

import numpy as np


def ids(prefix: str, numbers: np.ndarray | int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded numbers; an int n means 1..n."""
    numbers = np.arange(1, numbers + 1) if isinstance(numbers, int) else np.asarray(numbers)
    if len(numbers) == 0:
        return np.array([], dtype=str)
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), width))
