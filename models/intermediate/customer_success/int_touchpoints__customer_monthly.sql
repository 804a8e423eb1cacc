-- Per customer and month with MRR: touches of each model in the month, days since the
-- last touch of each model at the snapshot date, and whether the customer is
-- under-served: no touch of its segment's expected model or a higher one
-- (high_touch > low_touch > tech_touch > community_touch) in the 90 days ending on the
-- snapshot date, i.e. days since that touch >= 90 or no such touch at all.
-- The touch models (<kind>_touch, highest first) are declared once below; each has the
-- same columns: <kind>_touches, last_<kind>_touch_date, days_since_<kind>_touch.
-- The latest touch on or before a snapshot date is a running maximum over the customer's
-- months (int_touchpoints__customer_month_by_model counts the as-of month only up to the
-- as-of date, and every other month ends on or before its snapshot date).

{%- set touch_kinds = ['high', 'low', 'tech', 'community'] %}

with

customer_months as (

    select * from {{ ref('int_customer_months__customer_success_snapshot') }}

),

touch_months as (

    select * from {{ ref('int_touchpoints__customer_month_by_model') }}

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

kind_ranks as (

    -- one row: the rank of each declared touch model
    select
        {%- for kind in touch_kinds %}
        max(case when touch_model = '{{ kind }}_touch' then touch_rank end)
            as {{ kind }}_touch_rank,
        {%- endfor %}
        count(*) as touch_models
    from touch_model_ranks

),

monthly_touches as (

    -- per customer and month with a touch: the month's touches and latest touch day of each
    -- model, and the latest touch day of any
    select
        customer_id,
        month,
        {%- for kind in touch_kinds %}
        sum(case when touch_model = '{{ kind }}_touch' then touches else 0 end)
            as {{ kind }}_touches,
        max(case when touch_model = '{{ kind }}_touch' then last_touch_date end)
            as last_{{ kind }}_touch_date,
        {%- endfor %}
        max(last_touch_date) as last_touch_date
    from touch_months
    group by customer_id, month

),

timeline as (

    -- every month of a customer with a touch or a snapshot
    select
        customer_id,
        month
    from monthly_touches

    union

    select
        customer_id,
        month
    from customer_month_expectations

),

touch_stats as (

    -- the month's touches, and the latest touch day of each model up to the month's end
    {%- set to_date = 'over (partition by timeline.customer_id order by timeline.month'
        ~ ' rows between unbounded preceding and current row)' %}
    select
        timeline.customer_id,
        timeline.month,
        {%- for kind in touch_kinds %}
        monthly_touches.{{ kind }}_touches,
        max(monthly_touches.last_{{ kind }}_touch_date) {{ to_date }}
            as last_{{ kind }}_touch_date,
        {%- endfor %}
        max(monthly_touches.last_touch_date) {{ to_date }} as last_touch_date
    from timeline
    left join monthly_touches
        on
            timeline.customer_id = monthly_touches.customer_id
            and timeline.month = monthly_touches.month

),

joined as (

    select
        customer_month_expectations.customer_id,
        customer_month_expectations.month,
        customer_month_expectations.snapshot_date,
        customer_month_expectations.segment,
        customer_month_expectations.expected_touch_model,
        {%- for kind in touch_kinds %}
        coalesce(touch_stats.{{ kind }}_touches, 0) as {{ kind }}_touches,
        {%- endfor %}
        touch_stats.last_touch_date,
        {%- for kind in touch_kinds %}
        touch_stats.last_{{ kind }}_touch_date,
        {%- endfor %}
        -- the latest touch of the expected model or a higher one (greatest skips NULLs)
        greatest(
            {%- for kind in touch_kinds %}
            case
                when
                    kind_ranks.{{ kind }}_touch_rank
                    >= customer_month_expectations.expected_touch_rank
                    then touch_stats.last_{{ kind }}_touch_date
            end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as last_expected_touch_date
    from customer_month_expectations
    left join touch_stats
        on
            customer_month_expectations.customer_id = touch_stats.customer_id
            and customer_month_expectations.month = touch_stats.month
    cross join kind_ranks

),

final as (

    select
        customer_id,
        month,
        snapshot_date,
        segment,
        expected_touch_model,
        {%- for kind in touch_kinds %}
        cast({{ kind }}_touches as integer) as {{ kind }}_touches,
        {%- endfor %}
        cast({{ touch_kinds | join('_touches + ') }}_touches as integer)  -- noqa: LT05
            as total_touches,
        cast({{ dbt.datediff('last_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_last_touch,
        {%- for kind in touch_kinds %}
        cast({{ dbt.datediff('last_' ~ kind ~ '_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_{{ kind }}_touch,
        {%- endfor %}
        cast({{ dbt.datediff('last_expected_touch_date', 'snapshot_date', 'day') }} as integer)  -- noqa: LT05
            as days_since_expected_touch,
        coalesce(
            {{ dbt.datediff('last_expected_touch_date', 'snapshot_date', 'day') }} >= 90,  -- noqa: LT05
            true
        ) as is_under_served
    from joined

)

select * from final
