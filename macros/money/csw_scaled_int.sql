{#-
    A decimal value scaled to an exact integer: csw_scaled_int('unit_price', 4)
    = unit_price * 10^4 as bigint. Used to feed money, prices, discounts and FX
    rates into csw_div_round_half_up without any floating point. The value is
    widened to decimal(38, scale) first so the multiplication cannot overflow
    the source type's precision. `scale` must be at least the column's scale
    (digits beyond it would be truncated by the cast).
-#}
{% macro csw_scaled_int(expression, scale) -%}
    cast(cast({{ expression }} as decimal(38, {{ scale }})) * {{ 10 ** scale }} as bigint)
{%- endmacro %}
