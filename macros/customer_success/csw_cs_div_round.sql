{#-
    Exact ratio of two integer expressions rounded half away from zero to `scale`
    decimals, as DECIMAL(18, scale); NULL when the denominator is 0 or NULL.
    Integer arithmetic only (no float), through the shared csw_div_round_half_up:
        result = round_half_up(n * 10^scale / d) / 10^scale
    e.g. NPS = csw_cs_div_round('100 * (promoters - detractors)', 'responses', 1).
-#}
{% macro csw_cs_div_round(numerator, denominator, scale=1) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else cast(
            cast({{ csw_div_round_half_up(
                '(' ~ numerator ~ ') * ' ~ (10 ** scale), '(' ~ denominator ~ ')'
            ) }} as decimal(38, 0))
            {%- if scale > 0 %} * cast({{ '0.' ~ ('0' * (scale - 1)) ~ '1' }} as decimal({{ scale + 1 }}, {{ scale }})){% endif %}
            as decimal(18, {{ scale }})
        )
    end
{%- endmacro %}
