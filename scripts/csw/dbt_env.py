"""The environment variables a dbt run of this project reads (profiles.yml, dbt_project.yml)."""

from __future__ import annotations

from pathlib import Path


def dbt_environment(raw_dir: Path, db_path: Path, target: str) -> dict[str, str]:
    """The env vars profiles.yml and dbt_project.yml read."""
    return {
        "CSW_RAW_DIR": str(raw_dir.resolve()),
        "CSW_DB_PATH": str(db_path.resolve()),
        "CSW_TARGET": target,
        # a build may load another raw directory into an existing warehouse (plain dbt commands
        # stop when the directory differs: macros/loader/load_raw_sources.sql)
        "CSW_RELOAD_RAW": "1",
    }
