-- Per customer and month with MRR: touches of each model in the month, days since the
-- last touch of each model at the snapshot date, and whether the customer is
-- under-served: no touch of its segment's expected model or a higher one
-- (high_touch > low_touch > tech_touch > community_touch) in the 90 days ending on the
-- snapshot date, i.e. days since that touch >= 90 or no such touch at all.

with

customer_months as (

    select * from {{ ref('int_customer_months__customer_success_snapshot') }}

),

touchpoints as (

    select * from {{ ref('int_touchpoints__classified') }}

),

expected_touch_by_segment as (

    select * from {{ ref('expected_touch_by_segment') }}

),

touch_models as (

    select * from {{ ref('touch_models') }}

),

touch_model_ranks as (

    select distinct
        touch_model,
        touch_rank
    from touch_models

),

customer_month_expectations as (

    select
        customer_months.customer_id,
        customer_months.month,
        customer_months.snapshot_date,
        customer_months.segment,
        expected_touch_by_segment.expected_touch_model,
        touch_model_ranks.touch_rank as expected_touch_rank
    from customer_months
    left join expected_touch_by_segment
        on customer_months.segment = expected_touch_by_segment.segment
    left join touch_model_ranks
        on expected_touch_by_segment.expected_touch_model = touch_model_ranks.touch_model

),

touches_to_date as (

    select
        customer_month_expectations.customer_id,
        customer_month_expectations.month,
        touchpoints.touch_model,
        touchpoints.touch_rank,
        touchpoints.occurred_date,
        touchpoints.occurred_date >= customer_month_expectations.month as is_in_month,
        touchpoints.touch_rank >= customer_month_expectations.expected_touch_rank
            as meets_expectation
    from customer_month_expectations
    inner join touchpoints
        on
            customer_month_expectations.customer_id = touchpoints.customer_id
            and customer_month_expectations.snapshot_date >= touchpoints.occurred_date

),

touch_stats as (

    select
        customer_id,
        month,
        sum(case when is_in_month and touch_model = 'high_touch' then 1 else 0 end)
            as high_touches,
        sum(case when is_in_month and touch_model = 'low_touch' then 1 else 0 end)
            as low_touches,
        sum(case when is_in_month and touch_model = 'tech_touch' then 1 else 0 end)
            as tech_touches,
        sum(case when is_in_month and touch_model = 'community_touch' then 1 else 0 end)
            as community_touches,
        max(occurred_date) as last_touch_date,
        max(case when touch_model = 'high_touch' then occurred_date end)
            as last_high_touch_date,
        max(case when touch_model = 'low_touch' then occurred_date end)
            as last_low_touch_date,
        max(case when touch_model = 'tech_touch' then occurred_date end)
            as last_tech_touch_date,
        max(case when touch_model = 'community_touch' then occurred_date end)
            as last_community_touch_date,
        max(case when meets_expectation then occurred_date end)
            as last_expected_touch_date
    from touches_to_date
    group by customer_id, month

),

joined as (

    select
        customer_month_expectations.customer_id,
        customer_month_expectations.month,
        customer_month_expectations.snapshot_date,
        customer_month_expectations.segment,
        customer_month_expectations.expected_touch_model,
        coalesce(touch_stats.high_touches, 0) as high_touches,
        coalesce(touch_stats.low_touches, 0) as low_touches,
        coalesce(touch_stats.tech_touches, 0) as tech_touches,
        coalesce(touch_stats.community_touches, 0) as community_touches,
        touch_stats.last_touch_date,
        touch_stats.last_high_touch_date,
        touch_stats.last_low_touch_date,
        touch_stats.last_tech_touch_date,
        touch_stats.last_community_touch_date,
        touch_stats.last_expected_touch_date
    from customer_month_expectations
    left join touch_stats
        on
            customer_month_expectations.customer_id = touch_stats.customer_id
            and customer_month_expectations.month = touch_stats.month

),

final as (

    select
        customer_id,
        month,
        snapshot_date,
        segment,
        expected_touch_model,
        cast(high_touches as integer) as high_touches,
        cast(low_touches as integer) as low_touches,
        cast(tech_touches as integer) as tech_touches,
        cast(community_touches as integer) as community_touches,
        cast(high_touches + low_touches + tech_touches + community_touches as integer)
            as total_touches,
        cast({{ dbt.datediff('last_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_last_touch,
        cast({{ dbt.datediff('last_high_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_high_touch,
        cast({{ dbt.datediff('last_low_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_low_touch,
        cast({{ dbt.datediff('last_tech_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_tech_touch,
        cast({{ dbt.datediff('last_community_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_community_touch,
        cast({{ dbt.datediff('last_expected_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_expected_touch,
        coalesce(
            {{ dbt.datediff('last_expected_touch_date', 'snapshot_date', 'day') }} >= 90,  -- noqa: LT05
            true
        ) as is_under_served
    from joined

)

select * from final
