{#-
    The data tests of the large incremental models check, on a daily run, only the rows that run
    wrote (DECISIONS.md, "Incremental downstream models"). Such a test sets
    `config: where: "__csw_rows_of_this_run__"`; dbt renders a test's `where` when it parses the
    project (and keeps it across partial parses), so the placeholder is replaced here, when the
    test runs:
      - `_csw_invocation_id = '<this invocation>'` (csw_incremental_stamp) when the var
        `csw_test_rows_of_this_run` is true (`csw build` sets it) and the run is not
        --full-refresh: the rows this build wrote, all of them when the model was built in full;
      - `1 = 1` otherwise: a plain `dbt test` or `dbt build` checks every row.
    Any other `where` is passed through unchanged (dbt's default__get_where_subquery).
-#}

{%- macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__csw_rows_of_this_run__' in where -%}
        {%- if var('csw_test_rows_of_this_run', false) and not flags.FULL_REFRESH -%}
            {%- set condition = "_csw_invocation_id = '" ~ invocation_id ~ "'" -%}
        {%- else -%}
            {%- set condition = '1 = 1' -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where | replace('__csw_rows_of_this_run__', condition) }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -%}
{%- endmacro -%}
