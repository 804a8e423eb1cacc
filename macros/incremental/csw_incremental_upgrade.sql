{#-
    csw_drop_incremental_tables_of_other_versions(), run on run start after the raw load: an
    incremental model's table whose columns are not the columns its YAML documents (one missing,
    or one the model no longer writes) was built by another version of the model, e.g. a base
    table built before the model was incremental (no `_source_file_id`, which its key filter
    reads), before it carried its run stamp (`_csw_built_at`), or a ticket summary built before
    it kept the as-of time of its rows (`_csw_known_until_at`). Its rows cannot be brought up to
    date incrementally, so the table is dropped and this run builds it in full, with the columns
    in the model's order, as a --full-refresh would: an upgrade needs no --full-refresh (dbt's
    default on_schema_change keeps the old columns: new ones are left out, a removed one fails
    the insert). Logs each table it drops and why.
    Every selected incremental model whose YAML documents its columns (test_warehouse_docs checks
    that every built model's documented columns are its columns), except those configured with
    on_schema_change='append_new_columns': the health snapshot models add a new column and
    recompute every customer month themselves (a code change changes their fingerprints).
    Only in a run or build that selects the model (so the same run builds it again); nothing on
    a full refresh or at parse time.
    information_schema and run_query, not adapter.get_relation (that opens a transaction on the
    hook's connection, which is rolled back: load_raw_sources says the same); the drop is then
    told to dbt's relation cache, so the model builds the table anew.
-#}
{%- macro csw_drop_incremental_tables_of_other_versions() -%}
    {%- if execute and not flags.FULL_REFRESH and flags.WHICH in ['run', 'build'] -%}
        {%- set models = {} -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model'
            and node.unique_id in selected_resources
            and node.config.materialized == 'incremental'
            and node.config.on_schema_change != 'append_new_columns'
            and node.columns -%}
            {%- do models.update({(node.schema ~ '.' ~ node.alias) | lower: node}) -%}
        {%- endfor -%}
        {%- if models -%}
            {%- set found -%}
                select
                    lower(tables.table_schema) || '.' || lower(tables.table_name) as table_key,
                    lower(columns.column_name) as column_name
                from information_schema.tables as tables
                left join information_schema.columns as columns
                    on
                        tables.table_catalog = columns.table_catalog
                        and tables.table_schema = columns.table_schema
                        and tables.table_name = columns.table_name
                where
                    tables.table_catalog = current_database()
                    and lower(tables.table_schema) || '.' || lower(tables.table_name) in (
                        {%- for key in models -%}
                            {{ csw_quote_literal(key) }}{{ ', ' if not loop.last }}
                        {%- endfor -%}
                    )
            {%- endset -%}
            {%- set present = {} -%}
            {%- for row in run_query(found).rows -%}
                {%- do present.setdefault(row[0], []) -%}
                {%- if row[1] -%}{%- do present[row[0]].append(row[1]) -%}{%- endif -%}
            {%- endfor -%}
            {%- for key, node in models.items() if key in present -%}
                {%- set documented = node.columns.keys() | map('lower') | list -%}
                {%- set missing = documented | reject('in', present[key]) | list -%}
                {%- set extra = present[key] | reject('in', documented) | sort -%}
                {%- if missing or extra -%}
                    {%- set relation = api.Relation.create(
                        database=node.database, schema=node.schema, identifier=node.alias, type='table') -%}
                    {%- set why = [] -%}
                    {%- if missing -%}{%- do why.append('without ' ~ missing | join(', ')) -%}{%- endif -%}
                    {%- if extra -%}{%- do why.append('with ' ~ extra | join(', ') ~ ' no longer written') -%}{%- endif -%}
                    {%- do log("csw: " ~ key ~ " was built by another version of " ~ node.name
                        ~ " (" ~ why | join('; ') ~ "): dropped, this run builds it in full", info=true) -%}
                    {%- do run_query('drop table ' ~ relation) -%}
                    {%- do adapter.cache_dropped(relation) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro -%}
