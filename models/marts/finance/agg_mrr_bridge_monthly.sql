-- The monthly MRR bridge, company-wide ('all') and per segment: starting MRR, each movement
-- type, the customer view (expansion, contraction), ending MRR and the quick ratio
-- (metrics.md "MRR movements"). Every amount is a sum of int_mrr__customer_month_changes.
{%- set movement_types = csw_mrr_movement_types() %}
{%- set summed = movement_types + ['expansion', 'contraction'] %}

with

months as (

    select * from {{ ref('int_months__spine') }}

),

segment_thresholds as (

    select * from {{ ref('segment_thresholds') }}

),

customer_changes as (

    select
        month_start_date,
        bridge_segment,
        starting_mrr_cents,
        {% for column in summed -%}
        {{ column }}_cents,
        {% endfor -%}
        ending_mrr_cents

    from {{ ref('int_mrr__customer_month_changes') }}

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

{# Each customer-month counts in 'all' and in its bridge segment. #}
customer_change_segments as (

    select
        'all' as segment,
        customer_changes.*

    from customer_changes

    union all

    select
        bridge_segment as segment,
        customer_changes.*

    from customer_changes

),

totals as (

    select
        month_start_date,
        segment,
        sum(starting_mrr_cents) as starting_mrr_cents,
        {% for column in summed -%}
        sum({{ column }}_cents) as {{ column }}_cents,
        {% endfor -%}
        sum(ending_mrr_cents) as ending_mrr_cents,
        sum(case when starting_mrr_cents > 0 then 1 else 0 end) as customers_start,
        sum(case when ending_mrr_cents > 0 then 1 else 0 end) as customers_end

    from customer_change_segments
    group by
        month_start_date,
        segment

),

joined as (

    select
        month_segments.month_start_date,
        month_segments.segment,
        coalesce(totals.starting_mrr_cents, 0) as starting_mrr_cents,
        {% for column in summed -%}
        coalesce(totals.{{ column }}_cents, 0) as {{ column }}_cents,
        {% endfor -%}
        coalesce(totals.ending_mrr_cents, 0) as ending_mrr_cents,
        coalesce(totals.customers_start, 0) as customers_start,
        coalesce(totals.customers_end, 0) as customers_end

    from month_segments
    left join totals
        on
            month_segments.month_start_date = totals.month_start_date
            and month_segments.segment = totals.segment

),

final as (

    select
        month_start_date as month,  -- noqa: RF04
        segment,
        {{ csw_cents_to_decimal('starting_mrr_cents') }} as starting_mrr_usd,
        {% for column in summed -%}
        {{ csw_cents_to_decimal(column ~ '_cents') }} as {{ column }}_usd,
        {% endfor -%}
        {{ csw_cents_to_decimal('ending_mrr_cents') }} as ending_mrr_usd,
        {{ csw_ratio(
            'new_cents + win_back_cents + expansion_cents',
            '-(contraction_cents + churn_cents)',
            4,
        ) }} as quick_ratio,
        {{ csw_cents_to_decimal(
            'new_cents + upsell_cents + cross_sell_cents + downsell_cents + churn_cents + win_back_cents'
        ) }} as net_new_mrr_usd,
        cast(customers_start as integer) as customers_start,
        cast(customers_end as integer) as customers_end

    from joined

)

select * from final
