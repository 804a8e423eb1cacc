{#-
    Division of scores and ratios with DuckDB's floating-point semantics on every engine, so
    the rounded scores agree to the last decimal. DuckDB divides FLOAT by FLOAT/INTEGER in
    single precision and a DECIMAL by anything in DOUBLE; Spark's `/` always gives DOUBLE for
    floats and a DECIMAL for decimals. `precision`: 'float' (operands are dbt.type_float()) or
    'double' (decimal or integer operands). For scores only, never for money.
-#}
{% macro csw_cs_float_div(numerator, denominator, precision='double') -%}
    {{ return(adapter.dispatch('csw_cs_float_div', 'customer_success_warehouse')(numerator, denominator, precision)) }}
{%- endmacro %}

{% macro default__csw_cs_float_div(numerator, denominator, precision) -%}
    ({{ numerator }}) / ({{ denominator }})
{%- endmacro %}

{% macro spark__csw_cs_float_div(numerator, denominator, precision) -%}
    {#- A double quotient of two floats rounded to float is the float quotient (53 >= 2 * 24 + 2 bits). -#}
    {%- if precision == 'float' -%}
        cast(({{ numerator }}) / ({{ denominator }}) as float)
    {%- else -%}
        (cast(({{ numerator }}) as double) / ({{ denominator }}))
    {%- endif -%}
{%- endmacro %}
