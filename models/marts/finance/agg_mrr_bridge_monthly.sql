{%- set movement_types = [
    'new', 'upsell', 'cross_sell', 'downsell', 'churn', 'win_back', 'fx_adjustment',
] -%}

with

months as (

    select month_start_date

    from {{ ref('int_months__spine') }}

),

segment_thresholds as (

    select segment

    from {{ ref('segment_thresholds') }}

),

customer_months as (

    select
        customer_id,
        month_start_date,
        mrr_usd_cents,
        prev_mrr_usd_cents,
        bridge_segment

    from {{ ref('int_mrr__customer_month') }}

),

movements as (

    select
        month_start_date,
        movement_type,
        mrr_change_cents,
        bridge_segment

    from {{ ref('int_mrr__movements') }}

),

bridge_segments as (

    select 'all' as segment

    union all

    select segment from segment_thresholds

),

month_segments as (

    select
        months.month_start_date,
        bridge_segments.segment

    from months
    cross join bridge_segments

),

customer_month_segments as (

    select
        month_start_date,
        'all' as segment,
        mrr_usd_cents,
        prev_mrr_usd_cents

    from customer_months

    union all

    select
        month_start_date,
        bridge_segment as segment,
        mrr_usd_cents,
        prev_mrr_usd_cents

    from customer_months

),

balances as (

    select
        month_start_date,
        segment,
        sum(prev_mrr_usd_cents) as starting_mrr_cents,
        sum(mrr_usd_cents) as ending_mrr_cents,
        sum(case when prev_mrr_usd_cents > 0 then 1 else 0 end) as customers_start,
        sum(case when mrr_usd_cents > 0 then 1 else 0 end) as customers_end

    from customer_month_segments
    group by
        month_start_date,
        segment

),

movement_segments as (

    select
        month_start_date,
        'all' as segment,
        movement_type,
        mrr_change_cents

    from movements

    union all

    select
        month_start_date,
        bridge_segment as segment,
        movement_type,
        mrr_change_cents

    from movements

),

movement_totals as (

    select
        month_start_date,
        segment,
        sum(
            case when movement_type = 'new' then mrr_change_cents else 0 end
        ) as new_cents,
        sum(
            case when movement_type = 'upsell' then mrr_change_cents else 0 end
        ) as upsell_cents,
        sum(
            case when movement_type = 'cross_sell' then mrr_change_cents else 0 end
        ) as cross_sell_cents,
        sum(
            case when movement_type = 'downsell' then mrr_change_cents else 0 end
        ) as downsell_cents,
        sum(
            case when movement_type = 'churn' then mrr_change_cents else 0 end
        ) as churn_cents,
        sum(
            case when movement_type = 'win_back' then mrr_change_cents else 0 end
        ) as win_back_cents,
        sum(
            case when movement_type = 'fx_adjustment' then mrr_change_cents else 0 end
        ) as fx_adjustment_cents

    from movement_segments
    group by
        month_start_date,
        segment

),

joined as (

    select
        month_segments.month_start_date,
        month_segments.segment,
        coalesce(balances.starting_mrr_cents, 0) as starting_mrr_cents,
        {% for movement_type in movement_types -%}
        coalesce(movement_totals.{{ movement_type }}_cents, 0) as {{ movement_type }}_cents,
        {% endfor -%}
        coalesce(balances.ending_mrr_cents, 0) as ending_mrr_cents,
        coalesce(balances.customers_start, 0) as customers_start,
        coalesce(balances.customers_end, 0) as customers_end

    from month_segments
    left join balances
        on
            month_segments.month_start_date = balances.month_start_date
            and month_segments.segment = balances.segment
    left join movement_totals
        on
            month_segments.month_start_date = movement_totals.month_start_date
            and month_segments.segment = movement_totals.segment

),

final as (

    select
        month_start_date as month,  -- noqa: RF04
        segment,
        {{ csw_cents_to_decimal('starting_mrr_cents') }} as starting_mrr_usd,
        {% for movement_type in movement_types -%}
        {{ csw_cents_to_decimal(movement_type ~ '_cents') }} as {{ movement_type }}_usd,
        {% endfor -%}
        {{ csw_cents_to_decimal('ending_mrr_cents') }} as ending_mrr_usd,
        {{ csw_cents_to_decimal(
            'new_cents + upsell_cents + cross_sell_cents + downsell_cents + churn_cents + win_back_cents'
        ) }} as net_new_mrr_usd,
        cast(customers_start as integer) as customers_start,
        cast(customers_end as integer) as customers_end

    from joined

)

select * from final
