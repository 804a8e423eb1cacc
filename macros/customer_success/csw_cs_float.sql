{#-
    The project's binary float for health-score arithmetic, as DuckDB computes it: dbt's
    `type_float()` is `float`, which is 32-bit on DuckDB, and DuckDB keeps float op integer /
    decimal in 32 bits. Postgres's `float` is 64-bit and its real op integer / numeric is
    computed in 64 bits, so on Postgres every operand of that arithmetic is cast to `real`
    (literals included): the same IEEE single-precision operations, the same rounded scores.
-#}
{% macro csw_cs_float(expression) -%}
    {{ return(adapter.dispatch('csw_cs_float', 'customer_success_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__csw_cs_float(expression) -%}
    cast({{ expression }} as {{ dbt.type_float() }})
{%- endmacro %}

{% macro postgres__csw_cs_float(expression) -%}
    cast({{ expression }} as real)
{%- endmacro %}
