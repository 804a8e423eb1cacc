"""dbt-duckdb plugin (profiles.yml, `plugins:` of the dev target): registers the SQL function
`csw_plan_raw_load(raw_dir, tables_json, known_json, full_refresh)` that the loader macro
(macros/loader/load_raw_sources.sql) calls to check every raw file and plan each table's load
against the load manifest (csw.rawfiles)."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from csw.rawfiles import plan_raw_load_json


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        from duckdb.sqltypes import BOOLEAN, VARCHAR

        conn.create_function(
            "csw_plan_raw_load",
            plan_raw_load_json,
            [VARCHAR, VARCHAR, VARCHAR, BOOLEAN],
            VARCHAR,
            side_effects=True,
        )
