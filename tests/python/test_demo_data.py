"""The bundled demo dataset (data/demo) is exactly what `make demo-data` generates."""

from __future__ import annotations

import hashlib
from pathlib import Path

from _warehouse import DEMO_RAW_DIR
from csw.generate import generate


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_bundled_demo_data_is_up_to_date(tmp_path: Path):
    # Same arguments as the Makefile's demo-data target.
    generate(tmp_path, accounts=200, months=24, seed=42)
    assert _digests(tmp_path) == _digests(DEMO_RAW_DIR), "data/demo is stale: run `make demo-data`"
