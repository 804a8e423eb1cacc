-- Touch coverage for a CS lead: per month and segment ('all' plus each segment), the
-- customers with MRR, how many are under-served, and their share (rounded half away
-- from zero to 4 decimals).

with

touch_months as (

    select * from {{ ref('int_touchpoints__customer_monthly') }}

),

customer_months_by_segment as (

    {{ csw_rows_by_segment('touch_months', ['is_under_served']) }}

),

coverage as (

    select
        month,
        segment,
        count(*) as customers,
        sum(case when is_under_served then 1 else 0 end) as under_served_customers
    from customer_months_by_segment
    group by month, segment

),

final as (

    select
        cast(month as date) as month,  -- noqa: RF04
        {{ dbt.cast('segment', 'varchar') }} as segment,
        cast(customers as integer) as customers,
        cast(under_served_customers as integer) as under_served_customers,
        {{ csw_fraction('under_served_customers', 'customers') }} as under_served_share
    from coverage

)

select * from final
