"""Shared fixtures: small generated datasets, built once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from csw.generate import generate  # noqa: E402

SMALL = dict(accounts=300, months=18)


@pytest.fixture(scope="session")
def gen_dir(tmp_path_factory) -> Path:
    """300 accounts x 18 months, seed 1, every fault on."""
    out = tmp_path_factory.mktemp("gen_a")
    generate(out, seed=1, **SMALL)
    return out


@pytest.fixture(scope="session")
def gen_clean(tmp_path_factory) -> Path:
    """The same world without faults and without the product source."""
    out = tmp_path_factory.mktemp("gen_clean")
    generate(out, seed=1, faults=frozenset(), product_source=False, **SMALL)
    return out
