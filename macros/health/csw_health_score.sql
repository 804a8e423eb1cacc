{#-
    The weighted health score and its band (metrics.md "Customer health"), written once for the
    two models that weigh the component scores: fct_customer_health (the weights of the
    health_weights seed) and fct_health_backtest_snapshots (the seed's hand weights, for the
    backtest). A component whose score is missing gives its weight to the others in proportion: the score is
    weighted_score_tenths / (10 * present_weight) of csw_health_score_parts, and its band is
    csw_health_banded.
-#}

{#- The health components, in the order of the tie-break of main_risk_driver. -#}
{% macro csw_health_components() -%}
    {{ return(['adoption', 'engagement', 'support', 'sentiment', 'financial']) }}
{%- endmacro %}

{#-
    Select items of the one-row pivot of the health_weights seed (columns `component` and
    `weight_column`): `<component>_weight` for each component.
-#}
{% macro csw_health_component_weights(weight_column='weight') -%}
    {{ return(adapter.dispatch('csw_health_component_weights', 'customer_success_warehouse')(weight_column)) }}
{%- endmacro %}

{% macro default__csw_health_component_weights(weight_column) -%}
    {%- for component in csw_health_components() %}
        sum(case when component = '{{ component }}' then {{ weight_column }} else 0 end)
            as {{ component }}_weight{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#-
    Select items: the two sums a health score is made of, over the components of `scores`
    (<component>_score, one decimal) weighted by `weights` (<component>_weight, integers):
    `<prefix>weighted_score_tenths`, the sum of score * 10 * weight in exact tenths (a missing
    score adds 0), and `<prefix>present_weight`, the weight of the components that have a score.
-#}
{% macro csw_health_score_parts(scores, weights, prefix='') -%}
    {{ return(adapter.dispatch('csw_health_score_parts', 'customer_success_warehouse')(scores, weights, prefix)) }}
{%- endmacro %}

{% macro default__csw_health_score_parts(scores, weights, prefix) -%}
    {%- for component in csw_health_components() %}
        {% if not loop.first %}+ {% endif -%}
        coalesce(cast({{ scores }}.{{ component }}_score * 10 as bigint) * {{ weights }}.{{ component }}_weight, 0)
    {%- endfor %}
            as {{ prefix }}weighted_score_tenths,
    {%- for component in csw_health_components() %}
        {% if not loop.first %}+ {% endif -%}
        case when {{ scores }}.{{ component }}_score is null then 0 else {{ weights }}.{{ component }}_weight end
    {%- endfor %}
            as {{ prefix }}present_weight
{%- endmacro %}

{#-
    Rows of `scored` (a CTE with `score_column`) with `band_column`: the band of the
    health_bands seed (the `bands` CTE; min_score is unique, a seed test) with the highest
    min_score the score reaches, NULL for a NULL score. One row per row of `scored`: each band
    is the range [min_score, next band's min_score), so the join finds at most one band. (A
    join with every band reached, ranked per row, did the same, but DuckDB's top-1 per group
    over the whole row took 1.25 s of fct_customer_health's 1.6 s at 10k accounts.)
-#}
{% macro csw_health_banded(scored, score_column, band_column='health_band', bands='health_bands') -%}
    {{ return(adapter.dispatch('csw_health_banded', 'customer_success_warehouse')(scored, score_column, band_column, bands)) }}
{%- endmacro %}

{% macro default__csw_health_banded(scored, score_column, band_column, bands) -%}
    select
        {{ scored }}.*,
        band_ranges.health_band as {{ band_column }}
    from {{ scored }}
    left join (
        select
            health_band,
            min_score,
            lead(min_score) over (order by min_score) as next_min_score
        from {{ bands }}
    ) as band_ranges
        on
            {{ scored }}.{{ score_column }} >= band_ranges.min_score
            and (
                {{ scored }}.{{ score_column }} < band_ranges.next_min_score
                or band_ranges.next_min_score is null
            )
{%- endmacro %}
