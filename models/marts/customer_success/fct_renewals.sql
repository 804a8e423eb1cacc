-- The renewal calendar: one row per subscription with a quarterly or yearly current
-- recurring charge, with its next renewal after the as-of date (dates from
-- int_subscriptions__renewal_dates), the MRR it carries (its counted segments in the as-of
-- month, in USD at the as-of month's rate, rounded to the cent like MRR) and the customer's
-- health band in the as-of month.

with

renewal_dates as (

    select * from {{ ref('int_subscriptions__renewal_dates') }}

),

segment_months as (

    select * from {{ ref('int_charge_segments__months') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

health as (

    select * from {{ ref('fct_customer_health') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

subscription_local_mrr as (

    -- the subscription's counted segments in the as-of month, in local cents per currency
    select
        segment_months.subscription_id,
        segment_months.currency,
        segment_months.month_start_date,
        sum(segment_months.segment_mrr_cents) as local_mrr_cents
    from segment_months
    cross join as_of
    where segment_months.month_start_date = as_of.as_of_month
    group by
        segment_months.subscription_id,
        segment_months.currency,
        segment_months.month_start_date

),

subscription_mrr as (

    -- in USD cents at the as-of month's rate, rounded half away from zero by integer
    -- arithmetic like every MRR (csw_local_cents_to_usd), never through a float
    select
        subscription_local_mrr.subscription_id,
        sum(
            {{ csw_local_cents_to_usd(
                'subscription_local_mrr.local_mrr_cents', 'fx_rates.usd_per_unit_e8'
            ) }}
        ) as renewing_mrr_usd_cents
    from subscription_local_mrr
    inner join fx_rates
        on
            subscription_local_mrr.currency = fx_rates.currency
            and subscription_local_mrr.month_start_date = fx_rates.month_start_date
    group by subscription_local_mrr.subscription_id

),

as_of_health as (

    select
        health.customer_id,
        health.health_band,
        health.health_score
    from health
    cross join as_of
    where health.month = as_of.as_of_month

),

final as (

    select
        {{ dbt.cast('renewal_dates.subscription_id', 'varchar') }} as subscription_id,
        {{ dbt.cast('renewal_dates.customer_id', 'varchar') }} as customer_id,
        cast(renewal_dates.next_renewal_date as date) as next_renewal_date,
        cast({{ dbt.date_trunc('month', 'renewal_dates.next_renewal_date') }} as date)
            as renewal_month,
        {{ dbt.cast('renewal_dates.billing_period', 'varchar') }} as billing_period,
        cast(renewal_dates.renewal_anchor_date as date) as renewal_anchor_date,
        cast(renewal_dates.has_lapsed as boolean) as has_lapsed,
        cast(
            {{ dbt.datediff('as_of.as_of_date', 'renewal_dates.next_renewal_date', 'day') }}
            as integer
        ) as days_to_renewal,
        {{ csw_cents_to_decimal('subscription_mrr.renewing_mrr_usd_cents') }} as renewing_mrr_usd,
        {{ dbt.cast('as_of_health.health_band', 'varchar') }} as health_band,
        cast(as_of_health.health_score as decimal(4, 1)) as health_score,
        cast(as_of.as_of_date as date) as as_of_date
    from renewal_dates
    cross join as_of
    left join subscription_mrr
        on renewal_dates.subscription_id = subscription_mrr.subscription_id
    left join as_of_health
        on renewal_dates.customer_id = as_of_health.customer_id

)

select * from final
