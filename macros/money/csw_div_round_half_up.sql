{#-
    Exact integer division rounded half away from zero (design.md, "Money and
    rounding"): round_half_up(n / d) = sign(n) * ((2 * |n| + d) div (2 * d)),
    for integer expressions n and d > 0. Returns a bigint.

    Never use `/` on money: DuckDB divides DECIMALs in DOUBLE. Each engine gets
    a true integer division on a wide integer type (DuckDB `//` on hugeint,
    Postgres `div()` on numeric, Spark `div` on decimal(38, 0)). The sign is
    applied with a CASE so that no engine returns a float from sign().
-#}
{% macro csw_div_round_half_up(n, d) -%}
    {{ return(adapter.dispatch('csw_div_round_half_up', 'customer_success_warehouse')(n, d)) }}
{%- endmacro %}

{% macro default__csw_div_round_half_up(n, d) -%}
    cast(
        case when ({{ n }}) < 0 then -1 else 1 end
        * div(
            2 * abs(cast({{ n }} as numeric)) + cast({{ d }} as numeric),
            2 * cast({{ d }} as numeric)
        )
        as bigint
    )
{%- endmacro %}

{% macro duckdb__csw_div_round_half_up(n, d) -%}
    cast(
        case when ({{ n }}) < 0 then -1 else 1 end
        * (
            (2 * abs(cast({{ n }} as hugeint)) + cast({{ d }} as hugeint))
            // (2 * cast({{ d }} as hugeint))
        )
        as bigint
    )
{%- endmacro %}

{% macro spark__csw_div_round_half_up(n, d) -%}
    cast(
        case when ({{ n }}) < 0 then -1 else 1 end
        * (
            (2 * abs(cast({{ n }} as decimal(38, 0))) + cast({{ d }} as decimal(38, 0)))
            div (2 * cast({{ d }} as decimal(38, 0)))
        )
        as bigint
    )
{%- endmacro %}
