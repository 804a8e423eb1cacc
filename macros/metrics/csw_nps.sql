{#-
    NPS, spelled once (metrics.md "NPS"; agg_nps_monthly, int_customer_nps_180d).
    csw_nps_category_counts: the promoters, passives and detractors among the rows of a
    group, by their nps_category. csw_nps: 100 * (promoters - detractors) / responses,
    rounded half away from zero to one decimal by integer arithmetic, decimal(4, 1); NULL
    without responses.
-#}
{% macro csw_nps_category_counts(category_column='nps_category') -%}
    sum(case when {{ category_column }} = 'promoter' then 1 else 0 end) as promoters,
    sum(case when {{ category_column }} = 'passive' then 1 else 0 end) as passives,
    sum(case when {{ category_column }} = 'detractor' then 1 else 0 end) as detractors
{%- endmacro %}

{% macro csw_nps(promoters, detractors, responses) -%}
    cast({{ csw_ratio('100 * (' ~ promoters ~ ' - ' ~ detractors ~ ')', responses, 1) }} as decimal(4, 1))
{%- endmacro %}
