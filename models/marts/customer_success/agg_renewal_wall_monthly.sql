-- The renewal wall: the next renewals of fct_renewals (all after the as-of date) summed by the
-- month they fall in, up to the twelfth month after the as-of month (so the rest of the as-of
-- month too when the as-of date is not its last day; a month without a renewal has no row),
-- with the MRR renewing while the customer's band is yellow or red.

with

renewals as (

    select * from {{ ref('fct_renewals') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

in_horizon as (

    select renewals.*
    from renewals
    cross join as_of
    where renewals.renewal_month <= {{ dbt.dateadd('month', 12, 'as_of.as_of_month') }}

),

final as (

    select
        cast(renewal_month as date) as renewal_month,
        cast(count(*) as integer) as renewals,
        cast(count(distinct customer_id) as integer) as customers,
        cast(sum(renewing_mrr_usd) as decimal(18, 2)) as renewing_mrr_usd,
        cast(
            sum(case when health_band in ('yellow', 'red') then renewing_mrr_usd else 0 end)
            as decimal(18, 2)
        ) as at_risk_mrr_usd,
        cast(sum(case when health_band = 'red' then renewing_mrr_usd else 0 end) as decimal(18, 2))
            as red_mrr_usd
    from in_horizon
    group by renewal_month

)

select * from final
