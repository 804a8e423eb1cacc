-- Per ticket, what its event log says: first public agent reply, first solve,
-- reopens, escalations (by priority and by group) and the latest satisfaction rating.
-- Incremental (DECISIONS.md, "Incremental downstream models"): a row depends only on its ticket
-- (creation time), the ticket's events and its ratings, so a run recomputes only the tickets
-- touched since its last build: those of the base event rows written since (any status, so also
-- the old ticket of a superseded or deleted event), tickets new, gone or with another creation
-- time than the row was computed with (ticket_created_at), and tickets whose latest rating
-- changed (the small tables of tickets and ratings are compared, not stamped). A touched ticket
-- that is no longer staged gets a row without ticket_created_at that replaces its old row and
-- the post-hook deletes; a pre-hook empties the model when the base events were reset.

{{ config(
    materialized=csw_incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='ticket_id',
    pre_hook="{{ csw_incremental_downstream_reset(ref('base_support__ticket_events'), '_csw_built_at') }}",
    post_hook="{{ csw_incremental_delete_where('ticket_created_at is null') }}",
) }}

-- depends_on: {{ ref('base_support__ticket_events') }}

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

{% if is_incremental() %}
built as (

    select * from {{ this }}

),

events_written_since as (

    -- the base event rows written after this model's last build (its latest run stamp)
    {{ csw_incremental_written_since(ref('base_support__ticket_events'), '_csw_built_at') }}

),

ticket_keys as (

    -- the tickets of events written since, whatever the rows' status
    select ticket_id
    from events_written_since
    where ticket_id is not null

    union

    -- a ticket new, gone, or created at another time than its row was computed with
    select coalesce(tickets.ticket_id, built.ticket_id) as ticket_id
    from tickets
    full outer join built
        on tickets.ticket_id = built.ticket_id
    where
        built.ticket_id is null
        or tickets.ticket_id is null
        or tickets.created_at != built.ticket_created_at

    union

    -- a ticket whose latest rating changed
    select built.ticket_id
    from built
    left join latest_ratings
        on built.ticket_id = latest_ratings.ticket_id
    where
        built.csat_score is distinct from latest_ratings.csat_score
        or built.csat_rated_at is distinct from latest_ratings.csat_rated_at

),
{% else %}
ticket_keys as (

    select ticket_id from tickets

),
{% endif %}

in_scope_tickets as (

    select tickets.*
    from tickets
    {% if is_incremental() -%}
        inner join ticket_keys
            on tickets.ticket_id = ticket_keys.ticket_id
    {%- endif %}

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
        in_scope_tickets.created_at as ticket_created_at
    from ticket_events
    inner join in_scope_tickets
        on ticket_events.ticket_id = in_scope_tickets.ticket_id

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

final as (

    select
        ticket_keys.ticket_id,
        in_scope_tickets.created_at as ticket_created_at,
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
        latest_ratings.csat_rated_at,
        {{ csw_incremental_stamp() }}
    from ticket_keys
    left join in_scope_tickets
        on ticket_keys.ticket_id = in_scope_tickets.ticket_id
    left join first_replies
        on ticket_keys.ticket_id = first_replies.ticket_id
    left join resolutions
        on ticket_keys.ticket_id = resolutions.ticket_id
    left join escalations
        on ticket_keys.ticket_id = escalations.ticket_id
    left join latest_ratings
        on in_scope_tickets.ticket_id = latest_ratings.ticket_id

)

select * from final
