{#-
    The movement types of metrics.md "MRR movements", in bridge order: the one
    list that the customer view pivots and the bridge sums (a new type is added
    here, nowhere else).
-#}
{% macro csw_mrr_movement_types() -%}
    {{ return(['new', 'upsell', 'cross_sell', 'downsell', 'churn', 'win_back', 'fx_adjustment']) }}
{%- endmacro %}

{#-
    The movement types that make up a customer's business change (metrics.md "MRR movements",
    customer view: upsell + cross_sell + downsell, netted into expansion or contraction).
-#}
{% macro csw_business_change_movement_types() -%}
    {{ return(['upsell', 'cross_sell', 'downsell']) }}
{%- endmacro %}

{#-
    Aggregate: the sum of `amount` over the rows (of fct_mrr_movements or int_mrr__movements)
    whose movement_type is one of `movement_types`; 0 for a group without such a row.
-#}
{% macro csw_sum_mrr_change(movement_types, amount='mrr_change_usd') -%}
    {{ return(adapter.dispatch('csw_sum_mrr_change', 'customer_success_warehouse')(movement_types, amount)) }}
{%- endmacro %}

{% macro default__csw_sum_mrr_change(movement_types, amount) -%}
    sum(case when movement_type in ('{{ movement_types | join("', '") }}') then {{ amount }} else 0 end)
{%- endmacro %}
