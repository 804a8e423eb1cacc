"""Every model's YAML documents exactly the columns its relation has in the built demo warehouse.

Beyond documentation (every column described, none left over): the on-run-start upgrade
(macros/incremental/csw_incremental_upgrade.sql) drops an incremental table whose columns are
not its documented ones and rebuilds it in full, so a model whose YAML lagged its SQL would be
rebuilt on every run. Ephemeral models have no relation and are only checked to be ephemeral.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = ROOT / "models"
EPHEMERAL = re.compile(r"materialized\s*=\s*['\"]ephemeral['\"]")


def _documented() -> dict[str, list[str]]:
    models = {}
    for path in sorted(MODELS_DIR.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text("utf-8")) or {}).get("models") or []:
            models[model["name"]] = [column["name"].lower() for column in model.get("columns") or []]
    return models


@pytest.fixture(scope="module")
def built_columns(demo_build) -> dict[str, set[str]]:
    with duckdb.connect(str(demo_build), read_only=True) as con:
        rows = con.execute("""
            select table_name, list(lower(column_name))
            from information_schema.columns
            where table_catalog = current_database()
            group by table_name
        """).fetchall()
    return {table: set(columns) for table, columns in rows}


def test_every_model_is_documented():
    undocumented = sorted({p.stem for p in MODELS_DIR.rglob("*.sql")} - set(_documented()))
    assert not undocumented, f"models without a YAML entry: {undocumented}"


def test_documented_columns_are_the_built_columns(built_columns):
    sql_files = {p.stem: p for p in MODELS_DIR.rglob("*.sql")}
    differing, unbuilt = {}, []
    for model, documented in _documented().items():
        if model not in built_columns:
            if not EPHEMERAL.search(sql_files[model].read_text("utf-8")):
                unbuilt.append(model)
            continue
        missing = sorted(set(documented) - built_columns[model])
        undocumented = sorted(built_columns[model] - set(documented))
        if missing or undocumented or len(documented) != len(set(documented)):
            differing[model] = {"documented, not built": missing, "built, not documented": undocumented}
    assert not unbuilt, f"documented models the demo build has no relation for: {unbuilt}"
    assert not differing, differing
