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
    csw_rows_of_this_run_condition() is that choice: the condition, or none when every row is
    checked; the key test of a staging view uses it too (`keys_written_in`,
    test_unique_combination_of_columns.sql).
-#}

{%- macro csw_rows_of_this_run_condition() -%}
    {%- if var('csw_test_rows_of_this_run', false) and not flags.FULL_REFRESH
        and csw_previous_build_passed() -%}
        {%- do return("_csw_invocation_id = '" ~ invocation_id ~ "'") -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro -%}

{#-
    csw_previous_build_passed(): false when the build record (main.csw_build_record, written by
    `csw build` on DuckDB, csw.buildstate) says the build before this one did not pass (failed,
    killed, or none yet): rows an earlier build wrote may hold what its tests found, so this run
    checks every row. True without a record table: `csw build` keeps the record on DuckDB only,
    so on PostgreSQL a daily run trusts the rows of earlier runs as before (DECISIONS.md).
-#}
{%- macro csw_previous_build_passed() -%}
    {%- if not execute -%}
        {%- do return(true) -%}
    {%- endif -%}
    {%- set record = adapter.get_relation(
        database=target.database, schema='main', identifier='csw_build_record') -%}
    {%- if record is none -%}
        {%- do return(true) -%}
    {%- endif -%}
    {%- set previous = run_query(
        'select status from ' ~ record ~ ' order by build_id desc limit 1 offset 1') -%}
    {%- do return(previous.rows | length > 0 and previous.rows[0][0] == 'passed') -%}
{%- endmacro -%}


{%- macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__csw_rows_of_this_run__' in where -%}
        {%- set condition = csw_rows_of_this_run_condition() or '1 = 1' -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where | replace('__csw_rows_of_this_run__', condition) }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -%}
{%- endmacro -%}
