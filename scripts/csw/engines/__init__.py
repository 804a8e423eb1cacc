"""Engine-specific helpers for the non-DuckDB targets (Postgres, Spark).

On DuckDB the raw files are loaded by the `load_raw_sources` on-run-start macro. Other
engines cannot read the client's files from SQL, so `csw build --target <engine>` first
exports every declared raw table with `raw_export.export_raw_tables` (DuckDB reads the
files exactly as the macro does) and the engine module loads those exports.
"""
