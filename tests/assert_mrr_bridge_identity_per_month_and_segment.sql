-- agg_mrr_bridge_monthly, every month and segment ('all' and each segment):
--   starting + fx_adjustment + new + upsell + cross_sell + downsell + churn + win_back = ending;
--   net_new = the business movements;
--   the segment rows add up to the 'all' row;
--   'all' chains month to month (ending of M-1 = starting of M) and its ending equals sum(fct_mrr).
-- Returns the offending rows with the rule they break.

with

bridge as (

    select * from {{ ref('agg_mrr_bridge_monthly') }}

),

mrr as (

    select
        month,
        sum(mrr_usd) as mrr_usd

    from {{ ref('fct_mrr') }}
    group by month

),

identity_breaks as (

    select
        month,
        segment,
        'identity' as broken_rule

    from bridge
    where
        starting_mrr_usd + fx_adjustment_usd + new_usd + upsell_usd + cross_sell_usd
        + downsell_usd + churn_usd + win_back_usd <> ending_mrr_usd
        or net_new_mrr_usd
        <> new_usd + upsell_usd + cross_sell_usd + downsell_usd + churn_usd + win_back_usd

),

segment_sums as (

    select
        month,
        sum(starting_mrr_usd) as starting_mrr_usd,
        sum(ending_mrr_usd) as ending_mrr_usd,
        sum(
            fx_adjustment_usd + new_usd + upsell_usd + cross_sell_usd
            + downsell_usd + churn_usd + win_back_usd
        ) as movement_usd,
        sum(customers_start) as customers_start,
        sum(customers_end) as customers_end

    from bridge
    where segment <> 'all'
    group by month

),

segment_breaks as (

    select
        bridge.month,
        bridge.segment,
        'segments_sum_to_all' as broken_rule

    from bridge
    inner join segment_sums
        on bridge.month = segment_sums.month
    where
        bridge.segment = 'all'
        and (
            bridge.starting_mrr_usd <> segment_sums.starting_mrr_usd
            or bridge.ending_mrr_usd <> segment_sums.ending_mrr_usd
            or bridge.fx_adjustment_usd + bridge.new_usd + bridge.upsell_usd
            + bridge.cross_sell_usd + bridge.downsell_usd + bridge.churn_usd
            + bridge.win_back_usd <> segment_sums.movement_usd
            or bridge.customers_start <> segment_sums.customers_start
            or bridge.customers_end <> segment_sums.customers_end
        )

),

chain_breaks as (

    select
        current_month.month,
        current_month.segment,
        'all_chains_month_to_month' as broken_rule

    from bridge as current_month
    inner join bridge as previous_month
        on
            cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)
            = previous_month.month
            and current_month.segment = previous_month.segment
    where
        current_month.segment = 'all'
        and current_month.starting_mrr_usd <> previous_month.ending_mrr_usd

),

fct_mrr_breaks as (

    select
        bridge.month,
        bridge.segment,
        'all_ending_equals_fct_mrr' as broken_rule

    from bridge
    left join mrr
        on bridge.month = mrr.month
    where
        bridge.segment = 'all'
        and bridge.ending_mrr_usd <> coalesce(mrr.mrr_usd, 0)

),

all_breaks as (

    select * from identity_breaks
    union all
    select * from segment_breaks
    union all
    select * from chain_breaks
    union all
    select * from fct_mrr_breaks

)

select * from all_breaks
