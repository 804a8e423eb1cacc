{#-
    round(expression, scale) that works on every adapter: the value (often a DOUBLE from a
    division) is cast to an exact decimal first, as Postgres has no round(double, int).
    For scores and ratios, never for money (money goes through csw_div_round_half_up).

    Postgres: a float cast to numeric keeps only 15 (float8) or 6 (real) significant digits,
    which can move a value onto a rounding boundary (18.7499998 -> 18.75 -> 18.8, where DuckDB
    gives 18.7). The value goes through float8 and its text form instead (the shortest text that
    reads back as the same float, PostgreSQL 12+ with the default extra_float_digits), so it is
    rounded from the same binary value as on DuckDB.
-#}
{% macro csw_cs_round(expression, scale) -%}
    {{ return(adapter.dispatch('csw_cs_round', 'customer_success_warehouse')(expression, scale)) }}
{%- endmacro %}

{% macro default__csw_cs_round(expression, scale) -%}
    round(cast({{ expression }} as decimal(38, 10)), {{ scale }})
{%- endmacro %}

{% macro postgres__csw_cs_round(expression, scale) -%}
    round(cast(cast(cast({{ expression }} as double precision) as text) as decimal(38, 10)), {{ scale }})
{%- endmacro %}
