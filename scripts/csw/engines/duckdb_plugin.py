"""dbt-duckdb plugin (profiles.yml, `plugins:` of the dev target): registers the SQL function
`csw_inspect_raw_table(raw_dir, source, table, columns_json, optional)` that the loader macro
(macros/loader/load_raw_sources.sql) calls to check and scan each raw file, and
`csw_raw_fingerprint(raw_dir, tables_json)` that tells whether the files changed since the last
load (csw.rawfiles)."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from csw.rawfiles import inspect_raw_table_json, raw_fingerprint


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        from duckdb.sqltypes import BOOLEAN, VARCHAR

        conn.create_function(
            "csw_inspect_raw_table",
            inspect_raw_table_json,
            [VARCHAR, VARCHAR, VARCHAR, VARCHAR, BOOLEAN],
            VARCHAR,
            side_effects=True,
        )
        conn.create_function("csw_raw_fingerprint", raw_fingerprint, [VARCHAR, VARCHAR], VARCHAR,
                             side_effects=True)
