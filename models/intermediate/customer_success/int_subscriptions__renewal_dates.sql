-- The next renewal after the as-of date of every subscription whose current recurring
-- charge (a counted recurring, non-trial segment in the as-of month) is billed quarterly or
-- yearly (metrics.md "Customer-success workflow"). It renews on the anniversaries (every 3
-- or 12 months) of the start of its current run of paid segments: a run breaks where a
-- segment starts after every earlier segment's service end (a lapse), and the restart is the
-- new run's start; a subscription that never lapsed renews on the anniversaries of its
-- started_date. A canceled subscription does not renew. When the current segments mix
-- billing periods, the one carrying the most MRR decides (then the longer period).

with

segments as (

    select * from {{ ref('int_charge_segments') }}

),

segment_months as (

    select * from {{ ref('int_charge_segments__months') }}

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

ordered_segments as (

    select
        subscription_id,
        effective_from_date,
        max(service_end_date) over (
            partition by subscription_id
            order by effective_from_date, charge_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_service_end_date,
        -- an open-ended earlier segment covers everything after it
        max(case when service_end_date is null then 1 else 0 end) over (
            partition by subscription_id
            order by effective_from_date, charge_id
            rows between unbounded preceding and 1 preceding
        ) as has_open_earlier_segment
    -- every paid (recurring, non-trial) segment, counted at a month end or not: a short
    -- segment between two others is service, not a lapse
    from segments

),

restarts as (

    select
        subscription_id,
        max(effective_from_date) as restarted_date
    from ordered_segments
    where
        earlier_service_end_date is not null
        and coalesce(has_open_earlier_segment, 0) = 0
        and effective_from_date > earlier_service_end_date
    group by subscription_id

),

current_segments as (

    select
        segment_months.subscription_id,
        segment_months.customer_id,
        segments.billing_period,
        segments.billing_period_months,
        segment_months.segment_mrr_cents,
        row_number() over (
            partition by segment_months.subscription_id
            order by
                segment_months.segment_mrr_cents desc,
                segments.billing_period_months desc,
                segment_months.charge_id asc
        ) as period_rank
    from segment_months
    inner join segments
        on segment_months.charge_id = segments.charge_id
    cross join as_of
    where segment_months.month_start_date = as_of.as_of_month

),

current_period as (

    select
        subscription_id,
        customer_id,
        billing_period,
        billing_period_months
    from current_segments
    where period_rank = 1

),

anchored as (

    select
        current_period.subscription_id,
        current_period.customer_id,
        current_period.billing_period,
        current_period.billing_period_months,
        subscriptions.started_date,
        restarts.restarted_date,
        restarts.restarted_date is not null as has_lapsed,
        coalesce(restarts.restarted_date, subscriptions.started_date) as renewal_anchor_date,
        as_of.as_of_date
    from current_period
    inner join subscriptions
        on current_period.subscription_id = subscriptions.subscription_id
    left join restarts
        on current_period.subscription_id = restarts.subscription_id
    cross join as_of
    where
        current_period.billing_period_months in (3, 12)
        and subscriptions.canceled_date is null

),

candidates as (

    -- the anniversary in the as-of month's period step, then one period later if it is not
    -- after the as-of date
    select
        *,
        {{ csw_int_div(
            dbt.datediff('renewal_anchor_date', 'as_of_date', 'month'), 'billing_period_months'
        ) }} * billing_period_months as elapsed_period_months
    from anchored

),

stepped as (

    select
        *,
        cast(
            {{ dbt.dateadd(
                'month', 'cast(elapsed_period_months as integer)', 'renewal_anchor_date'
            ) }}
            as date
        ) as candidate_date,
        cast(
            {{ dbt.dateadd(
                'month',
                'cast(elapsed_period_months + billing_period_months as integer)',
                'renewal_anchor_date'
            ) }}
            as date
        ) as next_candidate_date
    from candidates

),

final as (

    select
        subscription_id,
        customer_id,
        billing_period,
        cast(billing_period_months as integer) as billing_period_months,
        cast(started_date as date) as started_date,
        cast(restarted_date as date) as restarted_date,
        has_lapsed,
        cast(renewal_anchor_date as date) as renewal_anchor_date,
        case
            when candidate_date > as_of_date then candidate_date
            else next_candidate_date
        end as next_renewal_date
    from stepped

)

select * from final
