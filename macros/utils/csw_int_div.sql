{#-
    Truncating integer division of two non-negative integer expressions (e.g. whole
    minutes from seconds). DuckDB's `/` returns a DOUBLE, so each adapter gets its
    integer operator.
-#}
{% macro csw_int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('csw_int_div', 'customer_success_warehouse')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__csw_int_div(numerator, denominator) -%}
    div(cast({{ numerator }} as numeric), cast({{ denominator }} as numeric))
{%- endmacro %}

{% macro duckdb__csw_int_div(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__csw_int_div(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}
