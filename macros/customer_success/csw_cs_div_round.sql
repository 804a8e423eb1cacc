{#-
    Exact ratio of two integer expressions, rounded half away from zero to `scale`
    decimals, as DECIMAL(18, scale); NULL when the denominator is 0 or NULL.
    Computed with integers only (no float):
        k = sign(n) * ((2 * |n| * 10^scale + d) div (2 * d)),  result = k / 10^scale
    e.g. NPS = csw_cs_div_round('100 * (promoters - detractors)', 'responses', 1).
-#}
{% macro csw_cs_div_round(numerator, denominator, scale=1) -%}
    {%- set factor = 10 ** scale -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(
            cast(
                sign({{ numerator }})
                * {{ csw_cs_int_div(
                    '2 * abs(cast(' ~ numerator ~ ' as bigint)) * ' ~ factor ~ ' + cast(' ~ denominator ~ ' as bigint)',
                    '2 * cast(' ~ denominator ~ ' as bigint)'
                ) }}
                as decimal(18, 0)
            ){% if scale > 0 %} * cast({{ '0.' ~ ('0' * (scale - 1)) ~ '1' }} as decimal({{ scale + 1 }}, {{ scale }})){% endif %}
            as decimal(18, {{ scale }})
        )
    end
{%- endmacro %}
