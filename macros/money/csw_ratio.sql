{#-
    Exact ratio of two integer expressions, rounded half away from zero to
    `scale` decimals by integer arithmetic (never a float), as
    decimal(18, scale); NULL when the denominator is zero or NULL:
        round_half_up(n * 10^scale / d) / 10^scale
    e.g. retention rates csw_ratio(n, d) (6 decimals), NPS
    csw_ratio('100 * (promoters - detractors)', 'responses', 1).
    The whole CASE is cast too: PostgreSQL types a CASE with a NULL branch as numeric without
    precision, so a mart's select (what dbt's unit tests compare in text: 0.5 against
    0.500000) would not have its contract's type.
-#}
{% macro csw_ratio(numerator, denominator, scale=6) -%}
    cast(
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
        as decimal(18, {{ scale }})
    )
{%- endmacro %}

{#-
    A fraction 0-1 as the marts publish it (shares, rates, CSAT, ROC AUC): csw_ratio at
    4 decimals, typed decimal(5, 4); NULL when the denominator is zero or NULL.
-#}
{% macro csw_fraction(numerator, denominator) -%}
    cast({{ csw_ratio(numerator, denominator, 4) }} as decimal(5, 4))
{%- endmacro %}
