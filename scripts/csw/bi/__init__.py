"""BI tools against the published snapshot: separate virtualenvs (Superset, old DuckDB readers)."""
