-- Per customer and month with MRR: touches by model in the month, days since the last
-- touch of each model at the snapshot date, and the under-served flag.

with

touch_months as (

    select * from {{ ref('int_touchpoints__customer_monthly') }}

),

final as (

    select
        {{ dbt.cast('customer_id', 'varchar') }} as customer_id,
        cast(month as date) as month,  -- noqa: RF04
        cast(snapshot_date as date) as snapshot_date,
        {{ dbt.cast('segment', 'varchar') }} as segment,
        {{ dbt.cast('expected_touch_model', 'varchar') }} as expected_touch_model,
        cast(high_touches as integer) as high_touches,
        cast(low_touches as integer) as low_touches,
        cast(tech_touches as integer) as tech_touches,
        cast(community_touches as integer) as community_touches,
        cast(total_touches as integer) as total_touches,
        cast(days_since_last_touch as integer) as days_since_last_touch,
        cast(days_since_high_touch as integer) as days_since_high_touch,
        cast(days_since_low_touch as integer) as days_since_low_touch,
        cast(days_since_tech_touch as integer) as days_since_tech_touch,
        cast(days_since_community_touch as integer) as days_since_community_touch,
        cast(days_since_expected_touch as integer) as days_since_expected_touch,
        cast(is_under_served as boolean) as is_under_served
    from touch_months

)

select * from final
