"""Fast Postgres portability guards (no server needed; the full check is test_cross_engine_postgres)."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest
import yaml

from csw.runner import PROJECT_DIR

PG_MAX_IDENTIFIER = 63


def _unit_test_names() -> list[str]:
    names = []
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        names += [t["name"] for t in document.get("unit_tests") or []]
    return names


def test_unit_test_names_fit_a_postgres_relation_name():
    """dbt-postgres names a relation after each unit test; longer than 63 characters is an error."""
    names = _unit_test_names()
    assert names
    too_long = [f"{name} ({len(name)})" for name in names if len(name) > PG_MAX_IDENTIFIER]
    assert not too_long, "unit test names longer than 63 characters:\n" + "\n".join(too_long)


def test_missing_driver_names_the_postgres_extra(monkeypatch, tmp_path: Path):
    from csw.cli import main as csw_main

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "psycopg2" or name.startswith("psycopg2."):
            raise ImportError("No module named 'psycopg2'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    from csw.engines import postgres

    with pytest.raises(postgres.MissingDriverError, match=r"postgres. extra"):
        postgres.check_driver()
    assert csw_main(["build", "--target", "postgres", "--raw-dir", str(tmp_path), "--no-progress"]) == 2
