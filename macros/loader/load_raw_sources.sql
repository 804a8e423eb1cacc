{#-
    Raw loader, called from `on-run-start` (dbt_project.yml).

    Which tables: every source table declared in models/staging/<source>/_<source>__sources.yml,
    read from `graph.sources` (populated when `execute` is true, which is the case for hooks of
    build/run/test/seed/snapshot and for run-operation). Each table's documented columns are its
    YAML columns minus the two the loader adds itself (`_source_file`, `_source_row_number`).

    What it does (docs/design.md, "Layers and names"; docs/spec/raw_sources.md, "Files"):
      1. checks every file and every documented column first (csw.rawfiles, through the SQL
         function `csw_inspect_raw_table` of the dbt-duckdb plugin csw.engines.duckdb_plugin,
         profiles.yml), and raises one error naming the file, the line or the column when
         something is missing or malformed, before any table is touched, so nothing is built:
         paths are literal (never glob patterns), `.csv` and `.parquet` of one table together are
         refused, and so is anything that is not a regular file inside the raw directory;
      2. loads `<raw_dir>/<source>/<table>.csv` (or `.parquet`) into `raw.<source>__<table>`,
         every column VARCHAR, selected by name (file order does not matter), plus
         `_source_file` and `_source_row_number` (1-based data row number), with the CSV dialect
         stated, never sniffed; then checks that every record of the file was loaded;
      3. extra columns are a warning and ignored; a source with `meta: {optional: true}` whose
         file is missing gets an empty raw table and a warning saying its input is missing.

    Skipped for commands that only render SQL (compile, show, docs generate, ls, parse). Set var
    `csw_skip_raw_load: true` (or env var CSW_SKIP_RAW_LOAD=1, which leaves dbt's partial parse
    intact) to reuse the raw tables already in the database; `csw build` does that for the source
    freshness run that follows a build whose raw load succeeded.
-#}
{% macro load_raw_sources() %}
    {#- Commands that only render SQL or read the manifest do not (re)load raw files. -#}
    {%- set non_loading_commands = ['parse', 'list', 'ls', 'compile', 'show', 'generate', 'serve'] -%}
    {%- if execute and flags.WHICH not in non_loading_commands
        and not var('csw_skip_raw_load', false)
        and env_var('CSW_SKIP_RAW_LOAD', '') | lower not in ['1', 'true'] -%}
        {{ return(adapter.dispatch('load_raw_sources', 'customer_success_warehouse')()) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{#- Source tables declared in YAML, sorted, as dicts the loaders use. -#}
{% macro csw_declared_raw_tables() %}
    {%- set loader_columns = ['_source_file', '_source_row_number'] -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name -%}
            {%- set config_meta = (node.config.get('meta') or {}) if node.config else {} -%}
            {%- set optional = config_meta.get('optional', false)
                or (node.source_meta or {}).get('optional', false)
                or (node.meta or {}).get('optional', false) -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- if column.name not in loader_columns -%}
                    {%- do columns.append(column.name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do tables.append({
                'source_name': node.source_name,
                'table_name': node.name,
                'schema': node.schema,
                'identifier': node.identifier,
                'columns': columns,
                'optional': optional | as_bool,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}


{% macro default__load_raw_sources() %}
    {#- Postgres/Spark: the Python loader (csw build) fills the raw schema; only check it. -#}
    {%- set missing = [] -%}
    {%- for t in csw_declared_raw_tables() -%}
        {%- set relation = adapter.get_relation(
            database=target.database, schema=t.schema, identifier=t.identifier) -%}
        {%- if relation is none -%}
            {%- do missing.append(t.schema ~ '.' ~ t.identifier) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing | length > 0 -%}
        {%- do exceptions.raise_compiler_error(
            'Raw tables are missing (load them with the Python loader first, empty tables for '
            ~ 'missing optional sources): ' ~ missing | join(', ')) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro duckdb__load_raw_sources() %}
    {%- set raw_dir = var('raw_dir') | string -%}
    {%- if raw_dir | length > 1 and raw_dir.endswith('/') -%}
        {%- set raw_dir = raw_dir[:-1] -%}
    {%- endif -%}
    {#- The CSV dialect, stated (raw_sources.md): nothing is sniffed. Records were checked well
        formed by csw_inspect_raw_table (rectangular, quotes closed, UTF-8), so the reader may
        accept mixed line ends (strict_mode = false); the count check below proves it kept all. -#}
    {%- set csv_dialect = "header = true, auto_detect = false, delim = ',', quote = '\"', "
        ~ "escape = '\"', comment = '', strict_mode = false, null_padding = false, "
        ~ "ignore_errors = false" -%}
    {%- set plans = [] -%}
    {%- set tables = csw_declared_raw_tables() -%}

    {#- 0. Which raw directory this warehouse holds (main.csw_raw_load, written by the last load).
        Another directory stops the command, unless it is a build that may switch (csw build sets
        CSW_RELOAD_RAW=1). The same directory with unchanged files is not read again, except by
        `build`: raw is reloaded only by a build or when the files changed. -#}
    {%- set table_keys = [] -%}
    {%- for t in tables -%}
        {%- do table_keys.append([t.source_name, t.table_name]) -%}
    {%- endfor -%}
    {%- set fingerprint = run_query('select csw_raw_fingerprint(' ~ csw_quote_literal(raw_dir)
        ~ ', ' ~ csw_quote_literal(tojson(table_keys)) ~ ')').columns[0].values()[0] -%}
    {%- set reload_forced = env_var('CSW_RELOAD_RAW', '') | lower in ['1', 'true'] -%}
    {#- information_schema, not adapter.get_relation: that opens a transaction on the hook's
        connection, and the loads below would then be rolled back. -#}
    {%- set has_record = run_query("select count(*) from information_schema.tables"
        ~ " where table_catalog = current_database() and table_schema = 'main'"
        ~ " and table_name = 'csw_raw_load'").columns[0].values()[0] > 0 -%}
    {%- if has_record -%}
        {%- set recorded = run_query('select raw_dir, fingerprint from main.csw_raw_load') -%}
        {%- if recorded.rows | length > 0 -%}
            {%- set recorded_dir = recorded.rows[0][0] -%}
            {%- if recorded_dir != raw_dir and not reload_forced -%}
                {%- do exceptions.raise_compiler_error(
                    'This warehouse (' ~ target.get('path', target.database) ~ ') was loaded from raw '
                    ~ 'directory ' ~ recorded_dir ~ ', but this dbt ' ~ flags.WHICH ~ ' reads '
                    ~ raw_dir ~ ' (var raw_dir / CSW_RAW_DIR): stopped before reloading or building '
                    ~ 'anything. Run it with CSW_RAW_DIR=' ~ recorded_dir ~ ', or rebuild from the '
                    ~ 'other directory with csw build --raw-dir ' ~ raw_dir
                    ~ ' (or set CSW_RELOAD_RAW=1 to reload it into this warehouse).') -%}
            {%- endif -%}
            {%- if recorded_dir == raw_dir and recorded.rows[0][1] == fingerprint
                and flags.WHICH != 'build' and not reload_forced -%}
                {%- do log('Raw files in ' ~ raw_dir ~ ' unchanged since they were loaded: raw '
                    ~ 'tables reused', info=true) -%}
                {{ return('') }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}

    {#- 1. Check every file and column before touching the database (csw.rawfiles, through the
        function the dbt-duckdb plugin csw.engines.duckdb_plugin registers). -#}
    {%- for t in tables -%}
        {%- set inspected = run_query('select csw_inspect_raw_table('
            ~ csw_quote_literal(raw_dir) ~ ', ' ~ csw_quote_literal(t.source_name) ~ ', '
            ~ csw_quote_literal(t.table_name) ~ ', ' ~ csw_quote_literal(tojson(t.columns)) ~ ', '
            ~ ('true' if t.optional else 'false') ~ ')') -%}
        {%- set info = fromjson(inspected.columns[0].values()[0]) -%}
        {%- for message in info.warnings -%}
            {%- do exceptions.warn(message) -%}
        {%- endfor -%}
        {%- if info.path is none -%}
            {%- set reader = none -%}
            {%- set select_columns = [] -%}
        {%- else -%}
            {%- set pattern = csw_quote_literal(csw_duckdb_literal_path(info.path)) -%}
            {%- set select_columns = [] -%}
            {%- if info.format == 'csv' -%}
                {%- set positional = [] -%}
                {%- for name in info.header -%}
                    {%- do positional.append("'c" ~ loop.index0 ~ "': 'VARCHAR'") -%}
                {%- endfor -%}
                {%- set reader = 'read_csv(' ~ pattern ~ ', ' ~ csv_dialect
                    ~ ', columns = {' ~ positional | join(', ') ~ '})' -%}
                {%- for column in t.columns -%}
                    {%- do select_columns.append('cast(c' ~ info.positions[column]
                        ~ ' as varchar) as ' ~ csw_quote_identifier(column)) -%}
                {%- endfor -%}
            {%- else -%}
                {%- set reader = 'read_parquet(' ~ pattern ~ ')' -%}
                {%- for column in t.columns -%}
                    {%- do select_columns.append('cast(' ~ csw_quote_identifier(column)
                        ~ ' as varchar) as ' ~ csw_quote_identifier(column)) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
        {%- do plans.append({'table': t, 'info': info, 'reader': reader,
            'select_columns': select_columns}) -%}
    {%- endfor -%}

    {#- 2. Load. Row numbers follow file order: keep insertion order while loading. -#}
    {%- set previous_order = run_query(
        "select current_setting('preserve_insertion_order')").columns[0].values()[0] -%}
    {%- do run_query('set preserve_insertion_order = true') -%}
    {%- for schema in plans | map(attribute='table') | map(attribute='schema') | unique -%}
        {%- do run_query('create schema if not exists ' ~ csw_quote_identifier(schema)) -%}
    {%- endfor -%}
    {%- for plan in plans -%}
        {%- set t = plan.table -%}
        {%- set target_relation = csw_quote_identifier(t.schema) ~ '.'
            ~ csw_quote_identifier(t.identifier) -%}
        {%- if plan.reader is not none -%}
            {%- set sql -%}
                create or replace table {{ target_relation }} as
                select
                    {{ plan.select_columns | join(',\n                    ') }},
                    cast({{ csw_quote_literal(plan.info.path) }} as varchar) as _source_file,
                    cast(row_number() over () as bigint) as _source_row_number
                from {{ plan.reader }}
            {%- endset -%}
            {%- do run_query(sql) -%}
            {#- Every record of the file is a raw row: the reader kept them all. -#}
            {%- set loaded = run_query('select count(*) from ' ~ target_relation)
                .columns[0].values()[0] -%}
            {%- if loaded != plan.info.rows -%}
                {%- do exceptions.raise_compiler_error(
                    'Raw file ' ~ plan.info.path ~ ' has ' ~ plan.info.rows ~ ' records but '
                    ~ loaded ~ ' were loaded into ' ~ t.schema ~ '.' ~ t.identifier
                    ~ ': the file does not follow the stated CSV dialect (raw_sources.md)') -%}
            {%- endif -%}
            {%- do log('Loaded raw file ' ~ plan.info.path ~ ' into ' ~ t.schema ~ '.'
                ~ t.identifier ~ ' (' ~ loaded ~ ' rows)', info=true) -%}
        {%- else -%}
            {%- set empty_columns = [] -%}
            {%- for column in t.columns -%}
                {%- do empty_columns.append(csw_quote_identifier(column) ~ ' varchar') -%}
            {%- endfor -%}
            {%- set sql -%}
                create or replace table {{ target_relation }} (
                    {{ empty_columns | join(',\n                    ') }},
                    _source_file varchar,
                    _source_row_number bigint
                )
            {%- endset -%}
            {%- do run_query(sql) -%}
            {%- do log('Created empty table ' ~ t.schema ~ '.' ~ t.identifier
                ~ ' for the missing optional source ' ~ t.source_name ~ '.' ~ t.table_name,
                info=true) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set restore = 'true' if previous_order in [true, 'true'] else 'false' -%}
    {%- do run_query('set preserve_insertion_order = ' ~ restore) -%}
    {%- do run_query('create or replace table main.csw_raw_load as select '
        ~ csw_quote_literal(raw_dir) ~ ' as raw_dir, ' ~ csw_quote_literal(fingerprint)
        ~ ' as fingerprint, cast(current_timestamp as varchar) as loaded_at') -%}
    {{ return('') }}
{% endmacro %}


{#- `path` as a DuckDB file pattern matching exactly that file: DuckDB's readers always glob, so
    `*`, `?` and `[` are escaped as one-character classes (csw.rawfiles.duckdb_literal_path). -#}
{% macro csw_duckdb_literal_path(path) %}
    {%- set ns = namespace(out='') -%}
    {%- for ch in path -%}
        {%- set ns.out = ns.out ~ ('[' ~ ch ~ ']' if ch in ['*', '?', '['] else ch) -%}
    {%- endfor -%}
    {{ return(ns.out) }}
{% endmacro %}


{#-
    Spark: `csw build --target spark` first exports the raw directory to one Parquet file per raw
    table (csw.engines.raw_export: the same checks, columns and row numbers as the DuckDB loader)
    under var `spark_raw_export_dir` (default `<CSW_SPARK_DIR>/raw`); this registers each file as
    the view `raw.<identifier>` (`select * from parquet.<path>`).
-#}
{% macro spark__load_raw_sources() %}
    {%- set export_dir = var('spark_raw_export_dir', env_var('CSW_SPARK_DIR', 'spark') ~ '/raw')
        | string -%}
    {%- set tables = csw_declared_raw_tables() -%}
    {%- for schema in tables | map(attribute='schema') | unique -%}
        {%- do run_query('create database if not exists ' ~ csw_quote_identifier(schema)) -%}
    {%- endfor -%}
    {%- for t in tables -%}
        {%- set target_relation = csw_quote_identifier(t.schema) ~ '.'
            ~ csw_quote_identifier(t.identifier) -%}
        {%- set path = export_dir.rstrip('/') ~ '/' ~ t.identifier ~ '.parquet' -%}
        {%- do run_query('drop table if exists ' ~ target_relation) -%}
        {%- do run_query('create or replace view ' ~ target_relation
            ~ ' as select * from parquet.' ~ csw_quote_identifier(path)) -%}
        {%- do log('Registered raw export ' ~ path ~ ' as ' ~ t.schema ~ '.' ~ t.identifier,
            info=true) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
