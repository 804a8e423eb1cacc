-- The customer view of MRR change (metrics.md "MRR movements", customer view), in every build:
--   per customer and month (fct_mrr_customer_changes): starting + fx_adjustment + new +
--     win_back + expansion + contraction + churn = ending; expansion >= 0 >= contraction and
--     not both; expansion + contraction = that customer's upsell + cross_sell + downsell in
--     fct_mrr_movements;
--   per month and segment (agg_mrr_bridge_monthly): the same identity with the bridge's
--     expansion and contraction, which are the sums of the customer rows.
-- Returns the offending rows with the rule they break.

{# the customer view's terms: they add up to ending_mrr_usd in a customer row and a bridge row #}
{% set customer_view_terms = [
    'starting_mrr_usd', 'fx_adjustment_usd', 'new_usd', 'win_back_usd',
    'expansion_usd', 'contraction_usd', 'churn_usd',
] %}

with

customer_changes as (

    select * from {{ ref('fct_mrr_customer_changes') }}

),

movements as (

    select
        customer_id,
        month,
        {{ csw_sum_mrr_change(csw_business_change_movement_types()) }} as business_change_usd

    from {{ ref('fct_mrr_movements') }}
    group by
        customer_id,
        month

),

bridge as (

    select * from {{ ref('agg_mrr_bridge_monthly') }}

),

customer_breaks as (

    select
        customer_changes.customer_id,
        customer_changes.month,
        customer_changes.segment,
        'customer_identity' as broken_rule

    from customer_changes
    left join movements
        on
            customer_changes.customer_id = movements.customer_id
            and customer_changes.month = movements.month
    where
        {{ 'customer_changes.' ~ customer_view_terms | join(' + customer_changes.') }}
        <> customer_changes.ending_mrr_usd
        or customer_changes.expansion_usd < 0
        or customer_changes.contraction_usd > 0
        or (customer_changes.expansion_usd <> 0 and customer_changes.contraction_usd <> 0)
        or customer_changes.expansion_usd + customer_changes.contraction_usd
        <> coalesce(movements.business_change_usd, 0)

),

{# Each customer row once in 'all' and once in its segment, as the bridge counts it. #}
customer_rows_by_segment as (

    {{ csw_rows_by_segment('customer_changes', ['expansion_usd', 'contraction_usd']) }}

),

customer_sums as (

    select
        month,
        segment,
        sum(expansion_usd) as expansion_usd,
        sum(contraction_usd) as contraction_usd

    from customer_rows_by_segment
    group by
        month,
        segment

),

bridge_breaks as (

    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        bridge.month,
        bridge.segment,
        'bridge_customer_view_identity' as broken_rule

    from bridge
    left join customer_sums
        on
            bridge.month = customer_sums.month
            and bridge.segment = customer_sums.segment
    where
        {{ 'bridge.' ~ customer_view_terms | join(' + bridge.') }} <> bridge.ending_mrr_usd
        or bridge.expansion_usd + bridge.contraction_usd
        <> bridge.upsell_usd + bridge.cross_sell_usd + bridge.downsell_usd
        or bridge.expansion_usd <> coalesce(customer_sums.expansion_usd, 0)
        or bridge.contraction_usd <> coalesce(customer_sums.contraction_usd, 0)

),

all_breaks as (

    select * from customer_breaks
    union all
    select * from bridge_breaks

)

select * from all_breaks
