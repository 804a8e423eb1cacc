-- Health component "support", over the customer's tickets created in the 90 days
-- ending on the snapshot date, counting only what was known at the end of that day
-- (no look-ahead, so the churn backtest is honest):
--   escalations_90d    tickets escalated by the snapshot time
--   sla_breaches_90d   tickets whose first-reply or resolution target had passed unmet
--   csat_good/bad_90d  their latest satisfaction rating given by the snapshot time (from the
--                      ratings themselves: a ticket rated good in May and bad in July counts
--                      as good in the June snapshot, not as unrated)
-- Scoring curve: shares, not counts, so that a large customer filing many tickets is not
-- penalized for its size:
--   score = 100 - 40 * escalated share - 30 * breached share - 30 * bad-rating share
-- (escalated / breached share of the window's tickets, bad share of its rated tickets,
-- 0 when none is rated). No tickets in the window -> 100 (nothing went wrong). The
-- support source is required, so this component is never missing.
-- Incremental (dbt_project.yml, folder health/): computes the customer months of
-- int_customer_health__snapshot_months (all in a full build, the changed customers' months from
-- the first changed month in a daily run).

with

customer_months as (

    select * from {{ ref('int_customer_health__snapshot_months') }}

),

tickets as (

    select * from {{ ref('int_support_tickets__sla') }}

),

satisfaction_ratings as (

    select * from {{ ref('stg_support__satisfaction_ratings') }}

),

snapshot_windows as (

    -- the window is the 90 days ending on the snapshot date: [start of day -89, end of day 0)
    select
        customer_id,
        month,
        cast(
            {{ dbt.dateadd('day', -89, 'snapshot_date') }} as {{ dbt.type_timestamp() }}
        ) as window_start_at,
        cast(
            {{ dbt.dateadd('day', 1, 'snapshot_date') }} as {{ dbt.type_timestamp() }}
        ) as window_end_at
    from customer_months

),

tickets_in_window as (

    select
        snapshot_windows.customer_id,
        snapshot_windows.month,
        tickets.ticket_id,
        coalesce(tickets.escalated_at < snapshot_windows.window_end_at, false)
            as is_escalated_by_then,
        (
            tickets.first_reply_due_at < snapshot_windows.window_end_at
            and coalesce(tickets.first_reply_at > tickets.first_reply_due_at, true)
        )
        or (
            tickets.resolution_due_at < snapshot_windows.window_end_at
            and coalesce(tickets.solved_at > tickets.resolution_due_at, true)
        ) as is_breached_by_then,
        snapshot_windows.window_end_at
    from snapshot_windows
    inner join tickets
        on
            snapshot_windows.customer_id = tickets.customer_id
            and snapshot_windows.window_start_at <= tickets.created_at
            and snapshot_windows.window_end_at > tickets.created_at

),

ranked_ratings as (

    -- the ratings of the window's tickets given by the snapshot time, latest first
    select
        tickets_in_window.customer_id,
        tickets_in_window.month,
        tickets_in_window.ticket_id,
        satisfaction_ratings.score,
        row_number() over (
            partition by
                tickets_in_window.customer_id,
                tickets_in_window.month,
                tickets_in_window.ticket_id
            order by satisfaction_ratings.created_at desc, satisfaction_ratings.rating_id desc
        ) as rating_rank
    from tickets_in_window
    inner join satisfaction_ratings
        on
            tickets_in_window.ticket_id = satisfaction_ratings.ticket_id
            and tickets_in_window.window_end_at > satisfaction_ratings.created_at

),

tickets_rated as (

    select
        tickets_in_window.customer_id,
        tickets_in_window.month,
        tickets_in_window.is_escalated_by_then,
        tickets_in_window.is_breached_by_then,
        ranked_ratings.score as csat_score_by_then
    from tickets_in_window
    left join ranked_ratings
        on
            tickets_in_window.customer_id = ranked_ratings.customer_id
            and tickets_in_window.month = ranked_ratings.month
            and tickets_in_window.ticket_id = ranked_ratings.ticket_id
            and ranked_ratings.rating_rank = 1

),

window_stats as (

    select
        customer_id,
        month,
        count(*) as tickets_90d,
        sum(case when is_escalated_by_then then 1 else 0 end) as escalations_90d,
        sum(case when is_breached_by_then then 1 else 0 end) as sla_breaches_90d,
        sum(case when csat_score_by_then = 'good' then 1 else 0 end) as csat_good_90d,
        sum(case when csat_score_by_then = 'bad' then 1 else 0 end) as csat_bad_90d
    from tickets_rated
    group by customer_id, month

),

joined as (

    select
        customer_months.customer_id,
        customer_months.month,
        coalesce(window_stats.tickets_90d, 0) as tickets_90d,
        coalesce(window_stats.escalations_90d, 0) as escalations_90d,
        coalesce(window_stats.sla_breaches_90d, 0) as sla_breaches_90d,
        coalesce(window_stats.csat_good_90d, 0) as csat_good_90d,
        coalesce(window_stats.csat_bad_90d, 0) as csat_bad_90d
    from customer_months
    left join window_stats
        on
            customer_months.customer_id = window_stats.customer_id
            and customer_months.month = window_stats.month

),

final as (

    -- support score = 100 - 40 * escalations / tickets - 30 * breaches / tickets
    --                 - 30 * bad / (good + bad) (0 without CSAT), an exact rational over
    -- tickets * (good + bad), rounded half away from zero by integer arithmetic (csw_ratio).
    select
        customer_id,
        month,
        cast(tickets_90d as integer) as support_tickets_90d,
        cast(escalations_90d as integer) as support_escalations_90d,
        cast(sla_breaches_90d as integer) as support_sla_breaches_90d,
        cast(csat_good_90d as integer) as support_csat_good_90d,
        cast(csat_bad_90d as integer) as support_csat_bad_90d,
        cast(
            case
                when tickets_90d = 0 then 100
                when csat_good_90d + csat_bad_90d = 0
                    then {{ csw_ratio(
                        '100 * tickets_90d - 40 * escalations_90d - 30 * sla_breaches_90d',
                        'tickets_90d', 1) }}
                else {{ csw_ratio(
                    '(100 * tickets_90d - 40 * escalations_90d - 30 * sla_breaches_90d)'
                    ~ ' * (csat_good_90d + csat_bad_90d) - 30 * csat_bad_90d * tickets_90d',
                    'tickets_90d * (csat_good_90d + csat_bad_90d)', 1) }}
            end
            as decimal(4, 1)
        ) as support_score,
        {{ csw_incremental_stamp() }}
    from joined

)

select * from final
