{#-
    Raw loader, called from `on-run-start` (dbt_project.yml).

    Which tables: every source table declared in models/staging/<source>/_<source>__sources.yml,
    read from `graph.sources` (populated when `execute` is true, which is the case for hooks of
    build/run/test/seed/snapshot and for run-operation). Each table's documented columns are its
    YAML columns minus the three the loader adds itself (`_source_file`, `_source_file_id`,
    `_source_row_number`).

    What it does (docs/design.md, "Layers and names"; docs/spec/raw_sources.md, "Files";
    DECISIONS.md, "Raw load manifest"):
      1. reads what each raw table already holds: `main.csw_raw_manifest` (path, size,
         modification time, content fingerprint and rows of every loaded file), checked against
         the table's own fingerprints and counts;
      2. checks every file and every documented column and plans each table's load (csw.rawfiles,
         through the SQL function `csw_plan_raw_load` of the dbt-duckdb plugin
         csw.engines.duckdb_plugin, profiles.yml), raising one error naming the file, the line or
         the column when something is missing or malformed, before any table is touched: paths
         are literal (never glob patterns), a table present twice (`.csv` and `.parquet`, or a
         file and a folder) is refused, and so is anything that is not a regular file inside the
         raw directory;
      3. loads into `raw.<source>__<table>` only the files it has not loaded yet (a table is one
         file `<raw_dir>/<source>/<table>.csv` or `.parquet`, or a folder `<table>/` of
         extracts), or every file when a loaded one changed or disappeared (and says so), or on
         the first load or --full-refresh: every column VARCHAR, selected by name (file order
         does not matter), plus `_source_file`, `_source_file_id` (content fingerprint) and
         `_source_row_number` (1-based data row number within the file), with the CSV dialect
         stated, never sniffed; then checks that every record of the file was loaded;
      4. extra columns are a warning and ignored; a source with `meta: {optional: true}` whose
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
    {%- set loader_columns = ['_source_file', '_source_file_id', '_source_row_number'] -%}
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
        formed by csw_plan_raw_load (rectangular, quotes closed, UTF-8), so the reader may accept
        mixed line ends (strict_mode = false); the count check below proves it kept all. -#}
    {%- set csv_dialect = "header = true, auto_detect = false, delim = ',', quote = '\"', "
        ~ "escape = '\"', comment = '', strict_mode = false, null_padding = false, "
        ~ "ignore_errors = false" -%}
    {%- set tables = csw_declared_raw_tables() -%}
    {%- set reload_forced = env_var('CSW_RELOAD_RAW', '') | lower in ['1', 'true'] -%}
    {%- set full_refresh = flags.FULL_REFRESH | default(false) | as_bool -%}

    {#- 0. Which raw directory this warehouse holds (main.csw_raw_load, written by the last load).
        Another directory stops the command, unless it is a build that may switch (csw build sets
        CSW_RELOAD_RAW=1). information_schema, not adapter.get_relation: that opens a transaction
        on the hook's connection, and the loads below would then be rolled back. -#}
    {%- set existing = run_query("select table_schema || '.' || table_name from information_schema.tables"
        ~ " where table_catalog = current_database()").columns[0].values() -%}
    {%- set ns = namespace(same_dir=false) -%}
    {%- if 'main.csw_raw_load' in existing -%}
        {%- set recorded = run_query('select raw_dir from main.csw_raw_load') -%}
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
            {%- set ns.same_dir = recorded_dir == raw_dir -%}
        {%- endif -%}
    {%- endif -%}

    {#- 1. What each raw table already holds: the manifest's entries of its files, trusted only
        when they match the table's own content (file fingerprints and row counts), so an
        interrupted load is reloaded in full rather than appended to twice. -#}
    {%- set known = {} -%}
    {%- if ns.same_dir and 'main.csw_raw_manifest' in existing -%}
        {%- set manifest = run_query('select source_name, table_name, path, size_bytes, modified_ns, '
            ~ 'file_id, rows from main.csw_raw_manifest order by source_name, table_name, path') -%}
        {%- for t in tables -%}
            {%- if (t.schema ~ '.' ~ t.identifier) in existing -%}
                {%- set entries = [] -%}
                {%- set recorded_rows = {} -%}
                {%- for row in manifest.rows
                    if row[0] == t.source_name and row[1] == t.table_name -%}
                    {%- do entries.append({'path': row[2], 'size_bytes': row[3] | int,
                        'modified_ns': row[4] | int, 'file_id': row[5], 'rows': row[6] | int}) -%}
                    {%- do recorded_rows.update({row[5]: row[6] | int}) -%}
                {%- endfor -%}
                {%- set in_table = {} -%}
                {%- for row in run_query('select _source_file_id, count(*) from '
                    ~ csw_quote_identifier(t.schema) ~ '.' ~ csw_quote_identifier(t.identifier)
                    ~ ' group by 1').rows -%}
                    {%- do in_table.update({row[0]: row[1] | int}) -%}
                {%- endfor -%}
                {%- if in_table == recorded_rows -%}
                    {%- do known.update({t.source_name ~ '.' ~ t.table_name: entries}) -%}
                {%- else -%}
                    {%- do exceptions.warn('Raw table ' ~ t.schema ~ '.' ~ t.identifier ~ ' does not '
                        ~ 'match its load manifest (an interrupted load?): it is reloaded in full') -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {#- 2. Check every file and column before touching the database, and plan each table's load
        (csw.rawfiles.plan_raw_load, through the function the dbt-duckdb plugin registers). -#}
    {%- set planned = run_query('select csw_plan_raw_load(' ~ csw_quote_literal(raw_dir) ~ ', '
        ~ csw_quote_literal(tojson(tables)) ~ ', ' ~ csw_quote_literal(tojson(known)) ~ ', '
        ~ ('true' if full_refresh else 'false') ~ ')') -%}
    {%- set plans = fromjson(planned.columns[0].values()[0]) -%}
    {%- for plan in plans -%}
        {%- for message in plan.warnings -%}
            {%- do exceptions.warn(message) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if plans | selectattr('mode', 'ne', 'unchanged') | list | length == 0 -%}
        {%- do log('csw: Raw files in ' ~ raw_dir ~ ' unchanged since they were loaded: raw tables reused',
            info=true) -%}
        {{ return('') }}
    {%- endif -%}

    {#- 3. Load. Row numbers follow file order: keep insertion order while loading (the rowid
        of a loaded row is then its place in the file). -#}
    {%- set previous_order = run_query(
        "select current_setting('preserve_insertion_order')").columns[0].values()[0] -%}
    {%- do run_query('set preserve_insertion_order = true') -%}
    {%- for schema in tables | map(attribute='schema') | unique -%}
        {%- do run_query('create schema if not exists ' ~ csw_quote_identifier(schema)) -%}
    {%- endfor -%}
    {%- set summary = namespace(files=0, rows=0, appended=0, full=0) -%}
    {%- for plan in plans if plan.mode != 'unchanged' -%}
        {%- if plan.mode == 'append' -%}
            {%- set summary.appended = summary.appended + 1 -%}
        {%- else -%}
            {%- set summary.full = summary.full + 1 -%}
        {%- endif -%}
        {%- set t = tables | selectattr('source_name', 'eq', plan.source_name)
            | selectattr('table_name', 'eq', plan.table_name) | first -%}
        {%- set target_relation = csw_quote_identifier(t.schema) ~ '.'
            ~ csw_quote_identifier(t.identifier) -%}
        {%- set counter = namespace(expected=0) -%}
        {%- if plan.mode == 'full' -%}
            {%- set empty_columns = [] -%}
            {%- for column in t.columns -%}
                {%- do empty_columns.append(csw_quote_identifier(column) ~ ' varchar') -%}
            {%- endfor -%}
            {%- set sql -%}
                create or replace table {{ target_relation }} (
                    {{ empty_columns | join(',\n                    ') }},
                    _source_file varchar,
                    _source_file_id varchar,
                    _source_row_number bigint
                )
            {%- endset -%}
            {%- do run_query(sql) -%}
            {#- A changed or removed file breaks "files are only ever added" (raw_sources.md): a
                warning, so `csw build` shows it and repeats it in its summary. -#}
            {%- if plan.reason in ['--full-refresh'] -%}
                {%- do log('Raw table ' ~ t.schema ~ '.' ~ t.identifier ~ ' is reloaded in full: '
                    ~ plan.reason, info=true) -%}
            {%- elif plan.moved_only -%}
                {#- Files moved, not changed (csw generate-day moving a single-file table into its
                    folder): said on the console, without the warning. -#}
                {%- do log('csw: Raw table ' ~ t.schema ~ '.' ~ t.identifier ~ ' is reloaded in full: '
                    ~ plan.reason ~ ' (same size and modification time: its rows now name the new path)',
                    info=true) -%}
            {%- elif plan.reason != 'first load' -%}
                {%- do exceptions.warn('Raw table ' ~ t.schema ~ '.' ~ t.identifier
                    ~ ' is reloaded in full: ' ~ plan.reason
                    ~ ' (raw files are only ever added, raw_sources.md; check the extract tool)') -%}
            {%- endif -%}
            {%- if plan.files | length == 0 -%}
                {%- do log('Created empty table ' ~ t.schema ~ '.' ~ t.identifier
                    ~ ' for the missing optional source ' ~ t.source_name ~ '.' ~ t.table_name,
                    info=true) -%}
            {%- endif -%}
        {%- else -%}
            {%- set counter.expected = run_query('select count(*) from ' ~ target_relation)
                .columns[0].values()[0] -%}
        {%- endif -%}
        {%- for info in plan.files if info.path in plan.load -%}
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
            {#- The rows go in with no row number, so the read runs on every thread (a
                `row_number() over ()` here made DuckDB read the file on one: the 100k usage file
                took 35 s, 19-20 s without it); the update then numbers the file's rows from their
                rowid: one insert appends consecutive rowids, in file order since insertion order
                is kept (checked against row_number() on the 100k usage file: 44.6M rows, the same
                order), and every row loaded before has its number. -#}
            {%- set sql -%}
                insert into {{ target_relation }}
                select
                    {{ select_columns | join(',\n                    ') }},
                    cast({{ csw_quote_literal(info.path) }} as varchar) as _source_file,
                    cast({{ csw_quote_literal(info.file_id) }} as varchar) as _source_file_id,
                    cast(null as bigint) as _source_row_number
                from {{ reader }}
            {%- endset -%}
            {%- do run_query(sql) -%}
            {#- Every record of the file is a raw row: the reader kept them all. -#}
            {%- set counter.expected = counter.expected + info.rows -%}
            {%- set loaded = run_query('select count(*) from ' ~ target_relation)
                .columns[0].values()[0] -%}
            {%- if loaded != counter.expected -%}
                {%- do exceptions.raise_compiler_error(
                    'Raw file ' ~ info.path ~ ' has ' ~ info.rows ~ ' records but '
                    ~ (loaded - counter.expected + info.rows) ~ ' were loaded into ' ~ t.schema ~ '.'
                    ~ t.identifier ~ ': the file does not follow the stated CSV dialect (raw_sources.md)') -%}
            {%- endif -%}
            {%- set sql -%}
                update {{ target_relation }}
                set _source_row_number = rowid - (
                    select min(rowid) from {{ target_relation }} where _source_row_number is null
                ) + 1
                where _source_row_number is null
            {%- endset -%}
            {%- set numbered = run_query(sql).columns[0].values()[0] -%}
            {%- if numbered != info.rows -%}
                {%- do exceptions.raise_compiler_error(
                    'Raw file ' ~ info.path ~ ': ' ~ numbered ~ ' of its ' ~ info.rows ~ ' rows in '
                    ~ t.schema ~ '.' ~ t.identifier ~ ' got a row number (the loader expects one insert to'
                    ~ ' append consecutive rows); rebuild with --full-refresh and report it') -%}
            {%- endif -%}
            {%- do log('Loaded raw file ' ~ info.path ~ ' into ' ~ t.schema ~ '.'
                ~ t.identifier ~ ' (' ~ info.rows ~ ' rows' ~ (', appended' if plan.mode == 'append' else '')
                ~ ')', info=true) -%}
            {%- set summary.files = summary.files + 1 -%}
            {%- set summary.rows = summary.rows + info.rows -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set restore = 'true' if previous_order in [true, 'true'] else 'false' -%}
    {%- do run_query('set preserve_insertion_order = ' ~ restore) -%}
    {#- One line for the console (`csw build` shows messages that start with "csw: "). -#}
    {%- do log('csw: Raw load: ' ~ summary.files ~ ' new file(s), ' ~ summary.rows ~ ' rows; '
        ~ summary.appended ~ ' table(s) appended to, ' ~ summary.full ~ ' loaded in full, '
        ~ (plans | length - summary.appended - summary.full) ~ ' unchanged', info=true) -%}

    {#- 4. The manifest of what the raw tables now hold, and the directory they came from. -#}
    {%- set manifest_rows = [] -%}
    {%- for plan in plans -%}
        {%- for info in plan.files -%}
            {%- do manifest_rows.append('(' ~ csw_quote_literal(plan.source_name) ~ ', '
                ~ csw_quote_literal(plan.table_name) ~ ', ' ~ csw_quote_literal(info.path) ~ ', '
                ~ info.size_bytes ~ ', ' ~ info.modified_ns ~ ', ' ~ csw_quote_literal(info.file_id)
                ~ ', ' ~ info.rows ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do run_query('create or replace table main.csw_raw_manifest (source_name varchar, '
        ~ 'table_name varchar, path varchar, size_bytes bigint, modified_ns bigint, file_id varchar, '
        ~ 'rows bigint, loaded_at timestamp with time zone default current_timestamp)') -%}
    {%- if manifest_rows | length > 0 -%}
        {%- do run_query('insert into main.csw_raw_manifest (source_name, table_name, path, size_bytes, '
            ~ 'modified_ns, file_id, rows) values ' ~ manifest_rows | join(', ')) -%}
    {%- endif -%}
    {%- do run_query('create or replace table main.csw_raw_load as select '
        ~ csw_quote_literal(raw_dir) ~ ' as raw_dir, cast(current_timestamp as varchar) as loaded_at') -%}
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
