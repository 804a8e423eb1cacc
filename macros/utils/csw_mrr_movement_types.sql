{#-
    The movement types of metrics.md "MRR movements", in bridge order: the one
    list that the customer view pivots and the bridge sums (a new type is added
    here, nowhere else).
-#}
{% macro csw_mrr_movement_types() -%}
    {{ return(['new', 'upsell', 'cross_sell', 'downsell', 'churn', 'win_back', 'fx_adjustment']) }}
{%- endmacro %}
