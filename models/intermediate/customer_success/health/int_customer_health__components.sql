-- One row per customer and month with MRR: the five health component scores (0-100,
-- NULL = input missing) with their raw inputs beside them.
-- Incremental (dbt_project.yml, folder health/): computes the customer months of
-- int_customer_health__snapshot_months (all in a full build, the changed customers' months from
-- the first changed month in a daily run); the run stamp tells fct_customer_health which rows
-- this run recomputed.

with

customer_months as (

    select * from {{ ref('int_customer_health__snapshot_months') }}

),

adoption as (

    select * from {{ ref('int_customer_health__adoption') }}

),

engagement as (

    select * from {{ ref('int_customer_health__engagement') }}

),

support as (

    select * from {{ ref('int_customer_health__support') }}

),

sentiment as (

    select * from {{ ref('int_customer_health__sentiment') }}

),

financial as (

    select * from {{ ref('int_customer_health__financial') }}

),

final as (

    select
        customer_months.customer_id,
        customer_months.month,
        customer_months.snapshot_date,
        customer_months.segment,
        customer_months.mrr_usd,

        adoption.avg_daily_active_users,
        adoption.licensed_seats,
        adoption.seat_utilization,
        adoption.adoption_score,

        engagement.days_since_last_touch,
        engagement.engagement_score,

        support.support_tickets_90d,
        support.support_escalations_90d,
        support.support_sla_breaches_90d,
        support.support_csat_good_90d,
        support.support_csat_bad_90d,
        support.support_score,

        sentiment.latest_nps_score_180d,
        sentiment.latest_nps_submitted_at,
        sentiment.sentiment_score,

        financial.mrr_usd_3m_ago,
        financial.mrr_change_pct_3m,
        financial.failed_payments_90d,
        financial.financial_score,
        {{ csw_incremental_stamp() }}

    from customer_months
    left join adoption
        on
            customer_months.customer_id = adoption.customer_id
            and customer_months.month = adoption.month
    left join engagement
        on
            customer_months.customer_id = engagement.customer_id
            and customer_months.month = engagement.month
    left join support
        on
            customer_months.customer_id = support.customer_id
            and customer_months.month = support.month
    left join sentiment
        on
            customer_months.customer_id = sentiment.customer_id
            and customer_months.month = sentiment.month
    left join financial
        on
            customer_months.customer_id = financial.customer_id
            and customer_months.month = financial.month

)

select * from final
