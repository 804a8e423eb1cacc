{#-
    Generic test: the combination of `combination_of_columns` is unique in `model` (a composite
    primary key). Rows where every column is NULL count too. No package needed. Attached to a
    column, it ignores `column_name` and checks the combination.

    keys_written_in (optional, a relation stamped by csw_incremental_stamp): on a daily
    `csw build`, check only the keys of the rows that relation's run wrote
    (csw_rows_of_this_run_condition): a duplicate needs at least one row written by this run
    when the earlier builds passed (`csw build` checks every key after a build that did not
    pass). For the staging view over a large incremental base (DECISIONS.md, "Incremental
    downstream models"); a plain `dbt test`, a first or a --full-refresh build checks every key.

    narrow_by (optional, with keys_written_in): one of the key columns that has few distinct
    values among the keys of one run (the usage date of a daily run): the rows are first
    narrowed to those values, then matched on the whole key. The same keys are checked; on
    DuckDB the staging usage view's test took 0.45-0.5 s without it and 0.2 s with it (10k
    accounts, a daily run). DuckDB applies the semi-joins in the order written, so a column
    with many values among the run's keys (the workspace) would make it slower, not faster.
-#}
{% test unique_combination_of_columns(model, combination_of_columns, column_name=none, keys_written_in=none, narrow_by=none) %}

{%- set this_run = csw_rows_of_this_run_condition() if keys_written_in is not none else none %}
{%- set columns = combination_of_columns | join(', ') %}

with

grouped as (

    select
        {{ columns }},
        count(*) as n_rows

    from {{ model }}
    {%- if this_run %}
    -- a semi-join on the key tuple: on DuckDB about twice as fast as the whole group by
    -- (10k accounts), where a join to the distinct keys was slower
    where
        {%- if narrow_by %}
        {{ narrow_by }} in (
            select {{ narrow_by }} from {{ keys_written_in }}
            where {{ this_run }}
        )
        and
        {%- endif %}
        ({{ columns }}) in (
            select {{ columns }} from {{ keys_written_in }}
            where {{ this_run }}
        )
    {%- endif %}

    group by {{ columns }}

)

select * from grouped
where n_rows > 1

{% endtest %}
