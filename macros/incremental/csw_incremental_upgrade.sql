{#-
    csw_drop_base_tables_built_before_incremental(), run on run start after the raw load: an
    incremental base model (unique_key `_record_key`, csw_incremental_config) whose table lacks a
    bookkeeping column the model now writes was built by an older version of the model:
    - no `_source_file_id`: built before the model became incremental (its key filter reads it);
    - no `_csw_built_at` while the model's YAML documents it: built before the model carried its
      run stamp (csw_base_model adds it to every incremental base model), which the incremental
      models downstream and the run's data tests read.
    Dropping the table lets this run build it in full, with the columns in the model's order, as
    a --full-refresh would; an upgrade needs no --full-refresh (an incremental insert would keep
    the old columns: dbt's on_schema_change ignores new ones). Logs each table it drops. Only in a
    run or build that selects the model (so the same run builds it again); nothing on a full
    refresh or at parse time.
    information_schema and run_query, not adapter.get_relation (that opens a transaction on the
    hook's connection, which is rolled back: load_raw_sources says the same); the drop is then
    told to dbt's relation cache, so the model builds the table anew.
-#}
{%- macro csw_drop_base_tables_built_before_incremental() -%}
    {%- if execute and not flags.FULL_REFRESH and flags.WHICH in ['run', 'build'] -%}
        {%- set models = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model'
            and node.unique_id in selected_resources
            and node.config.materialized == 'incremental'
            and node.config.unique_key == '_record_key' -%}
            {%- do models.append(node) -%}
        {%- endfor -%}
        {%- if models -%}
            {%- set found -%}
                select
                    lower(tables.table_schema) as table_schema,
                    lower(tables.table_name) as table_name,
                    lower(columns.column_name) as column_name
                from information_schema.tables as tables
                left join information_schema.columns as columns
                    on
                        tables.table_catalog = columns.table_catalog
                        and tables.table_schema = columns.table_schema
                        and tables.table_name = columns.table_name
                        and lower(columns.column_name) in ('_source_file_id', '_csw_built_at')
                where
                    tables.table_catalog = current_database()
                    and lower(tables.table_schema) || '.' || lower(tables.table_name) in (
                        {%- for node in models -%}
                            {{ csw_quote_literal((node.schema ~ '.' ~ node.alias) | lower) }}
                            {{- ', ' if not loop.last }}
                        {%- endfor -%}
                    )
            {%- endset -%}
            {%- set present = {} -%}
            {%- for row in run_query(found).rows -%}
                {%- set key = row[0] ~ '.' ~ row[1] -%}
                {%- do present.setdefault(key, []) -%}
                {%- if row[2] -%}{%- do present[key].append(row[2]) -%}{%- endif -%}
            {%- endfor -%}
            {%- for node in models if (node.schema ~ '.' ~ node.alias) | lower in present -%}
                {%- set columns = present[(node.schema ~ '.' ~ node.alias) | lower] -%}
                {%- if '_source_file_id' not in columns -%}
                    {%- set why = 'was built before ' ~ node.name ~ ' was incremental (no _source_file_id)' -%}
                {%- elif '_csw_built_at' in node.columns and '_csw_built_at' not in columns -%}
                    {%- set why = 'was built before ' ~ node.name ~ ' carried its run stamp (no _csw_built_at)' -%}
                {%- else -%}
                    {%- set why = none -%}
                {%- endif -%}
                {%- if why -%}
                    {%- set relation = api.Relation.create(
                        database=node.database, schema=node.schema, identifier=node.alias, type='table') -%}
                    {%- do log("csw: " ~ relation ~ " " ~ why ~ ": dropped, this run builds it in full", info=true) -%}
                    {%- do run_query('drop table ' ~ relation) -%}
                    {%- do adapter.cache_dropped(relation) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro -%}
