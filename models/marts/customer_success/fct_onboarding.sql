-- Onboarding and adoption (metrics.md "Customer-success workflow", the glossaries'
-- onboarding): one row per customer in its first 90 paid days at the as-of date
-- (dim_customers.lifecycle_stage = 'onboarding'), with its seat utilization in the as-of
-- month against the adoption target of its segment (seed onboarding_adoption_targets).
-- is_on_track: utilization (in %) >= target; NULL without usage data.

with

customers as (

    select * from {{ ref('dim_customers') }}

),

health as (

    select * from {{ ref('fct_customer_health') }}

),

targets as (

    select * from {{ ref('onboarding_adoption_targets') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

onboarding as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.segment,
        customers.csm_user_id,
        customers.first_paid_month,
        customers.current_mrr_usd
    from customers
    where customers.lifecycle_stage = 'onboarding'

),

final as (

    select
        {{ dbt.cast('onboarding.customer_id', 'varchar') }} as customer_id,
        {{ dbt.cast('onboarding.customer_name', 'varchar') }} as customer_name,
        {{ dbt.cast('onboarding.segment', 'varchar') }} as segment,
        {{ dbt.cast('onboarding.csm_user_id', 'varchar') }} as csm_user_id,
        cast(onboarding.first_paid_month as date) as first_paid_month,
        cast(as_of.as_of_date as date) as as_of_date,
        cast(onboarding.current_mrr_usd as decimal(18, 2)) as mrr_usd,
        cast(health.seat_utilization as decimal(9, 4)) as seat_utilization,
        cast(health.adoption_score as decimal(4, 1)) as adoption_score,
        -- a fraction 0-1 like seat_utilization (docs/bi.md "Scales"); the seed holds percent
        cast(cast(targets.target_seat_utilization_pct as decimal(9, 4)) * 0.01 as decimal(5, 4))
            as target_seat_utilization,
        cast(
            case
                when health.seat_utilization is not null
                    then 100 * health.seat_utilization >= targets.target_seat_utilization_pct
            end
            as boolean
        ) as is_on_track,
        {{ dbt.cast('health.health_band', 'varchar') }} as health_band
    from onboarding
    cross join as_of
    left join health
        on
            onboarding.customer_id = health.customer_id
            and as_of.as_of_month = health.month
    left join targets
        on onboarding.segment = targets.segment

)

select * from final
