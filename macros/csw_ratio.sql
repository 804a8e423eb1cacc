{#-
    A ratio of two integers (e.g. customers, cents) as decimal(18, 6), rounded
    half away from zero at 6 decimals by exact integer arithmetic; NULL when
    the denominator is zero or NULL. Used by the retention rates.
-#}
{% macro csw_ratio(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else cast(
            cast({{ csw_div_round_half_up(
                '(' ~ numerator ~ ') * 1000000', '(' ~ denominator ~ ')'
            ) }} as decimal(38, 0)) * 0.000001
            as decimal(18, 6)
        )
    end
{%- endmacro %}
