{#-
    `with x as {{ csw_not_materialized() }} (...)`: a CTE the engine must inline into each of its
    readers rather than compute once into a temporary result. DuckDB (since 1.1) and PostgreSQL
    (since 12) materialize a CTE read more than once; a base model reads its parsed rows twice
    (csw_dq_status: the rows of keys with one raw row, and the rest), and each reader's filter
    must reach the raw scan so that every row is parsed once and nothing is spilled. Spark SQL
    always inlines and has no such keyword.
-#}
{%- macro csw_not_materialized() -%}
    {{ return(adapter.dispatch('csw_not_materialized', 'customer_success_warehouse')()) }}
{%- endmacro -%}

{%- macro default__csw_not_materialized() -%}
    {{ return('') }}
{%- endmacro -%}

{%- macro duckdb__csw_not_materialized() -%}
    {{ return('not materialized') }}
{%- endmacro -%}

{%- macro postgres__csw_not_materialized() -%}
    {{ return('not materialized') }}
{%- endmacro -%}
