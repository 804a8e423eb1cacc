{#-
    round(expression, scale) that works on every adapter: the value (often a DOUBLE from a
    division) is cast to an exact decimal first, as Postgres has no round(double, int).
    For scores and ratios, never for money (money goes through csw_div_round_half_up).
-#}
{% macro csw_cs_round(expression, scale) -%}
    round(cast({{ expression }} as decimal(38, 10)), {{ scale }})
{%- endmacro %}
