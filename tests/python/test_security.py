"""Security and privacy: no emails or person names in marts, secrets only from env vars, no
database or build output committed, and names/paths never interpolated into SQL unquoted.

The marts are those of the small clean world (_faults.clean_world), built with every model.
Emails are hashed in staging with a salted SHA-256 (CSW_HASH_SALT; docs/guarantees.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from _faults import SALT, Clean, Workspace, clean_world, query
from csw.runner import run_dbt

PROJECT_DIR = Path(__file__).resolve().parents[2]
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Workspace, Clean]:
    return clean_world(tmp_path_factory)


def text_columns(db_path: Path) -> list[tuple[str, str]]:
    return query(db_path, "select table_name, column_name from information_schema.columns"
                          " where table_schema = 'marts' and data_type = 'VARCHAR' order by 1, 2")


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def test_no_mart_text_column_holds_an_email(world):
    _, clean = world
    columns = text_columns(clean.db_path)
    assert len(columns) > 20
    # The check itself works: the raw data has emails.
    assert query(clean.db_path, "select count(*) from staging.stg_crm__contacts"
                                " where regexp_full_match(email, ?)", [EMAIL_PATTERN])[0][0] > 0
    found = []
    for table, column in columns:
        (count, example), = query(
            clean.db_path,
            f"select count(*), any_value({quoted(column)}) from marts.{quoted(table)}"
            f" where regexp_matches({quoted(column)}, ?)", [EMAIL_PATTERN])
        if count:
            found.append(f"marts.{table}.{column}: {count} values, e.g. {example!r}")
    assert not found, "emails in marts:\n" + "\n".join(found)


def test_no_person_name_in_marts(world):
    """No full_name of a CRM user or contact appears in any mart text column (exact or contained)."""
    _, clean = world
    names = query(clean.db_path, """
        select distinct lower(trim(full_name)) from (
            select full_name from staging.stg_crm__users
            union all
            select full_name from staging.stg_crm__contacts
        ) where length(trim(full_name)) >= 5 and contains(trim(full_name), ' ')
    """)
    assert len(names) > 10
    found = []
    for table, column in text_columns(clean.db_path):
        rows = query(clean.db_path, f"""
            with names as (
                select distinct lower(trim(full_name)) as name from staging.stg_crm__users
                union select distinct lower(trim(full_name)) from staging.stg_crm__contacts
            )
            select count(*), any_value(m.{quoted(column)})
            from marts.{quoted(table)} as m
            inner join names
                on length(names.name) >= 5 and contains(names.name, ' ')
                and contains(lower(m.{quoted(column)}), names.name)
        """)
        if rows[0][0]:
            found.append(f"marts.{table}.{column}: {rows[0][0]} values, e.g. {rows[0][1]!r}")
    assert not found, "person names in marts:\n" + "\n".join(found)


def test_hash_salt_never_reaches_marts(world):
    _, clean = world
    found = [f"marts.{t}.{c}" for t, c in text_columns(clean.db_path)
             if query(clean.db_path, f"select count(*) from marts.{quoted(t)} where contains({quoted(c)}, ?)",
                      [SALT])[0][0]]
    assert not found


SECRET_KEY = re.compile(r"pass|token|secret|key|user|host|account|role|database|path|catalog|dsn|uri|url",
                        re.IGNORECASE)


def _leaves(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{prefix}[{i}]")
    else:
        yield prefix, node


def test_profiles_read_credentials_from_env_vars_only():
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    leaves = list(_leaves(profiles))
    assert leaves
    problems = [
        f"{key} = {value!r}"
        for key, value in leaves
        if SECRET_KEY.search(key.rsplit(".", 1)[-1]) and "env_var(" not in str(value)
    ]
    assert not problems, "profiles.yml values that must come from env_var(...):\n" + "\n".join(problems)
    # Every output's connection settings are either env vars or harmless literals; no literal
    # password anywhere (the postgres output reads its password from CSW_PG_PASSWORD).
    text = (PROJECT_DIR / "profiles.yml").read_text().lower()
    assert not re.search(r"^\s*(password|pass|token|secret)\s*:(?!\s*\"\{\{\s*env_var\()", text,
                         re.MULTILINE)


@pytest.mark.parametrize("path", ["warehouse.duckdb", "data/x/w.duckdb", "w.duckdb.wal", "target/manifest.json",
                                  "target/run/x.sql", "logs/dbt.log", ".env"])
def test_gitignore_ignores_databases_and_build_output(path):
    if shutil.which("git") is None or not (PROJECT_DIR / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=PROJECT_DIR)
    assert result.returncode == 0, f"{path} is not ignored by .gitignore"


def test_paths_with_quotes_are_quoted_in_sql(world, tmp_path):
    """A raw directory whose path holds both quote characters loads: paths and names are always quoted."""
    _, clean = world
    raw_dir = tmp_path / "it's \"raw\"; drop table x"
    shutil.copytree(clean.raw_dir, raw_dir, ignore=shutil.ignore_patterns("_truth"))
    db_path = tmp_path / "w.duckdb"
    result = run_dbt(
        ["run", "--select", "base_billing__products", "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env={"CSW_RAW_DIR": str(raw_dir), "CSW_DB_PATH": str(db_path), "CSW_HASH_SALT": "it's a \"salt\""},
        show_progress=False,
    )
    assert result.success, result.text
    assert query(db_path, "select distinct _source_file from raw.billing__products") == [
        (f"{raw_dir}/billing/products.csv",)]
