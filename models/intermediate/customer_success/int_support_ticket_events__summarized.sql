-- Per ticket, what its event log says: first public agent reply, first solve,
-- reopens, escalations (by priority and by group) and the latest satisfaction rating.

with

tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

ticket_events as (

    select * from {{ ref('stg_support__ticket_events') }}

),

satisfaction_ratings as (

    select * from {{ ref('stg_support__satisfaction_ratings') }}

),

events as (

    select
        ticket_events.event_id,
        ticket_events.ticket_id,
        ticket_events.created_at,
        ticket_events.actor_type,
        ticket_events.event_type,
        ticket_events.is_public,
        ticket_events.new_value,
        tickets.created_at as ticket_created_at
    from ticket_events
    inner join tickets
        on ticket_events.ticket_id = tickets.ticket_id

),

first_replies as (

    -- a reply stamped at the creation instant counts (0 minutes): it is not before creation
    select
        ticket_id,
        min(created_at) as first_reply_at
    from events
    where
        event_type = 'comment'
        and actor_type = 'agent'
        and is_public
        and created_at >= ticket_created_at
    group by ticket_id

),

status_changes as (

    select
        ticket_id,
        created_at,
        new_value,
        lag(new_value) over (
            partition by ticket_id
            order by created_at, event_id
        ) as previous_status
    from events
    where event_type = 'status_change'

),

resolutions as (

    select
        ticket_id,
        min(case when new_value = 'solved' then created_at end) as solved_at,
        sum(
            case
                when
                    previous_status in ('solved', 'closed')
                    and new_value in ('new', 'open', 'pending')
                    then 1
                else 0
            end
        ) as reopen_count
    from status_changes
    group by ticket_id

),

escalations as (

    -- a priority set at the creation instant is the ticket's initial priority, not an
    -- escalation: only a change to urgent strictly after creation counts
    select
        ticket_id,
        min(
            case
                when
                    event_type = 'priority_change'
                    and new_value = 'urgent'
                    and created_at > ticket_created_at
                    then created_at
            end
        ) as escalated_by_priority_at,
        min(
            case
                when event_type = 'group_change' and new_value = 'escalations'
                    then created_at
            end
        ) as escalated_by_group_at
    from events
    group by ticket_id

),

ranked_ratings as (

    select
        ticket_id,
        score,
        created_at,
        row_number() over (
            partition by ticket_id
            order by created_at desc, rating_id desc
        ) as rating_rank
    from satisfaction_ratings

),

latest_ratings as (

    select
        ticket_id,
        score as csat_score,
        created_at as csat_rated_at
    from ranked_ratings
    where rating_rank = 1

),

final as (

    select
        tickets.ticket_id,
        first_replies.first_reply_at,
        resolutions.solved_at,
        cast(coalesce(resolutions.reopen_count, 0) as integer) as reopen_count,
        escalations.escalated_by_priority_at is not null as is_escalated_by_priority,
        escalations.escalated_by_group_at is not null as is_escalated_by_group,
        (
            escalations.escalated_by_priority_at is not null
            or escalations.escalated_by_group_at is not null
        ) as is_escalated,
        case
            when escalations.escalated_by_group_at is null
                then escalations.escalated_by_priority_at
            when escalations.escalated_by_priority_at is null
                then escalations.escalated_by_group_at
            when escalations.escalated_by_priority_at < escalations.escalated_by_group_at
                then escalations.escalated_by_priority_at
            else escalations.escalated_by_group_at
        end as escalated_at,
        latest_ratings.csat_score,
        latest_ratings.csat_rated_at
    from tickets
    left join first_replies
        on tickets.ticket_id = first_replies.ticket_id
    left join resolutions
        on tickets.ticket_id = resolutions.ticket_id
    left join escalations
        on tickets.ticket_id = escalations.ticket_id
    left join latest_ratings
        on tickets.ticket_id = latest_ratings.ticket_id

)

select * from final
