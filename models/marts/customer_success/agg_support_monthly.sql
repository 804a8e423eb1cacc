-- Support per customer and month of ticket creation (customers with at least one
-- ticket that month; tickets without a customer are left out): tickets, escalations,
-- SLA breaches at the as-of time, and the latest CSAT rating of those tickets.

with

tickets as (

    select * from {{ ref('int_support_tickets__sla') }}

),

monthly as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month,  -- noqa: RF04
        count(*) as tickets,
        sum(case when is_escalated then 1 else 0 end) as escalations,
        sum(case when breached_first_reply_sla then 1 else 0 end) as first_reply_breaches,
        sum(case when breached_resolution_sla then 1 else 0 end) as resolution_breaches,
        sum(
            case when breached_first_reply_sla or breached_resolution_sla then 1 else 0 end
        ) as breached_tickets,
        sum(case when csat_score = 'good' then 1 else 0 end) as csat_good,
        sum(case when csat_score = 'bad' then 1 else 0 end) as csat_bad
    from tickets
    where customer_id is not null
    group by customer_id, cast({{ dbt.date_trunc('month', 'created_at') }} as date)

),

final as (

    select
        {{ dbt.cast('customer_id', 'varchar') }} as customer_id,
        cast(month as date) as month,  -- noqa: RF04
        cast(tickets as integer) as tickets,
        cast(escalations as integer) as escalations,
        cast(first_reply_breaches as integer) as first_reply_breaches,
        cast(resolution_breaches as integer) as resolution_breaches,
        cast(breached_tickets as integer) as breached_tickets,
        cast(csat_good as integer) as csat_good,
        cast(csat_bad as integer) as csat_bad,
        {{ csw_fraction('csat_good', 'csat_good + csat_bad') }} as csat_pct
    from monthly

)

select * from final
