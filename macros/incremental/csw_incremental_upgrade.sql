{#-
    csw_drop_base_tables_built_before_incremental(), run on run start after the raw load: an
    incremental base model (unique_key `_record_key`, csw_incremental_config) whose table has no
    `_source_file_id` was built before the model became incremental. Dropping it lets this run
    build it in full, with the columns in the model's order, as a --full-refresh would; an
    upgrade needs no --full-refresh (and its incremental key filter, which reads the column,
    would fail). Logs each table it drops. Only in a run or build that selects the model (so
    the same run builds it again); nothing on a full refresh or at parse time.
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
                select tables.table_schema, tables.table_name
                from information_schema.tables as tables
                where
                    tables.table_catalog = current_database()
                    and lower(tables.table_schema) || '.' || lower(tables.table_name) in (
                        {%- for node in models -%}
                            {{ csw_quote_literal((node.schema ~ '.' ~ node.alias) | lower) }}
                            {{- ', ' if not loop.last }}
                        {%- endfor -%}
                    )
                    and not exists (
                        select 1
                        from information_schema.columns as columns
                        where
                            columns.table_catalog = tables.table_catalog
                            and columns.table_schema = tables.table_schema
                            and columns.table_name = tables.table_name
                            and lower(columns.column_name) = '_source_file_id'
                    )
            {%- endset -%}
            {%- for row in run_query(found).rows -%}
                {%- set node = (models | selectattr('alias', 'equalto', row[1]) | list)[0] -%}
                {%- set relation = api.Relation.create(
                    database=node.database, schema=row[0], identifier=row[1], type='table') -%}
                {%- do log(relation ~ " was built before " ~ node.name ~ " was incremental (no "
                    ~ "_source_file_id): dropped, this run builds it in full", info=true) -%}
                {%- do run_query('drop table ' ~ relation) -%}
                {%- do adapter.cache_dropped(relation) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro -%}
