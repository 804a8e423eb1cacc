-- Every support ticket with its customer (organization -> CRM account -> surviving
-- customer), response and resolution times, SLA targets of its current priority
-- (seed sla_targets, measured from creation) and breach flags at the as-of time. An as-of
-- build knows the tickets created before the as-of time and what their events said by then:
-- a later reply or solve is not known yet, and a ticket whose status changed after the as-of
-- time has the latest status it had before it ('new' when none).

with

tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

organizations as (

    select * from {{ ref('stg_support__organizations') }}

),

crm_accounts as (

    -- every known CRM account and the surviving account (= customer_id) it counts as
    select * from {{ ref('int_crm_accounts__merge_resolved') }}

),

ticket_summaries as (

    select * from {{ ref('int_support_ticket_events__summarized') }}

),

sla_targets as (

    select * from {{ ref('sla_targets') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

joined as (

    select
        tickets.ticket_id,
        crm_accounts.surviving_account_id as customer_id,
        tickets.organization_id,
        tickets.priority,
        tickets.channel,
        case
            when ticket_summaries.last_status_change_at >= as_of.as_of_end_at
                then coalesce(ticket_summaries.latest_known_status, 'new')
            else tickets.status
        end as status,
        tickets.created_at,
        ticket_summaries.first_reply_at,
        ticket_summaries.solved_at,
        ticket_summaries.reopen_count,
        ticket_summaries.is_escalated,
        ticket_summaries.is_escalated_by_priority,
        ticket_summaries.is_escalated_by_group,
        ticket_summaries.escalated_at,
        ticket_summaries.csat_score,
        ticket_summaries.csat_rated_at,
        sla_targets.first_reply_minutes as sla_first_reply_minutes,
        sla_targets.resolution_minutes as sla_resolution_minutes,
        {{ dbt.dateadd('minute', 'sla_targets.first_reply_minutes', 'tickets.created_at') }}
            as first_reply_due_at,
        {{ dbt.dateadd('minute', 'sla_targets.resolution_minutes', 'tickets.created_at') }}
            as resolution_due_at,
        as_of.as_of_end_at
    from tickets
    left join organizations
        on tickets.organization_id = organizations.organization_id
    left join crm_accounts
        on organizations.crm_account_id = crm_accounts.account_id
    left join ticket_summaries
        on tickets.ticket_id = ticket_summaries.ticket_id
    left join sla_targets
        on tickets.priority = sla_targets.priority
    cross join as_of
    where tickets.created_at < as_of.as_of_end_at

),

final as (

    select
        ticket_id,
        customer_id,
        organization_id,
        priority,
        channel,
        status,
        created_at,
        first_reply_at,
        cast(
            {{ csw_int_div(dbt.datediff('created_at', 'first_reply_at', 'second'), 60) }}
            as integer
        ) as first_reply_minutes,
        solved_at,
        cast(
            {{ csw_int_div(dbt.datediff('created_at', 'solved_at', 'second'), 60) }}
            as integer
        ) as resolution_minutes,
        is_escalated,
        is_escalated_by_priority,
        is_escalated_by_group,
        escalated_at,
        sla_first_reply_minutes,
        sla_resolution_minutes,
        first_reply_due_at,
        resolution_due_at,
        case
            when first_reply_at is not null then first_reply_at > first_reply_due_at
            else first_reply_due_at < as_of_end_at
        end as breached_first_reply_sla,
        case
            when solved_at is not null then solved_at > resolution_due_at
            else resolution_due_at < as_of_end_at
        end as breached_resolution_sla,
        reopen_count,
        csat_score,
        csat_rated_at
    from joined

)

select * from final
