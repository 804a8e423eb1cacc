-- Per ticket, what its event log says: first public agent reply, first solve,
-- reopens, escalations (by priority and by group) and the latest satisfaction rating, as known
-- at the as-of time: only events and ratings before it count (int_as_of), and the latest
-- status it knows is kept beside the time of the ticket's last status change, so
-- int_support_tickets__sla can tell a status that changed after the as-of time.
-- Incremental (DECISIONS.md, "Incremental downstream models"): a row depends only on its ticket
-- (creation time), the ticket's events and its ratings, so a run recomputes only the tickets
-- touched since its last build: those of the base event rows written since (any status, so also
-- the old ticket of a superseded or deleted event), tickets new, gone or with another creation
-- time than the row was computed with (ticket_created_at), and tickets whose latest rating
-- changed (the small tables of tickets and ratings are compared, not stamped), and tickets with
-- an event between the as-of time the rows were computed at (_csw_known_until_at) and this
-- run's (a daily run's as-of date moves; `--as-of` may move it back). A touched ticket
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

as_of as (

    select * from {{ ref('int_as_of') }}

),

ranked_ratings as (

    -- the ratings given before the as-of time
    select
        satisfaction_ratings.ticket_id,
        satisfaction_ratings.score,
        satisfaction_ratings.created_at,
        row_number() over (
            partition by satisfaction_ratings.ticket_id
            order by satisfaction_ratings.created_at desc, satisfaction_ratings.rating_id desc
        ) as rating_rank
    from satisfaction_ratings
    cross join as_of
    where satisfaction_ratings.created_at < as_of.as_of_end_at

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

previous_as_of as (

    -- the as-of time of the latest run that wrote rows: every row is right at it (a row that run
    -- did not write had no event between it and the as-of time it was computed at, which is kept
    -- on that row); NULL when the table is empty, where every ticket is new anyway. A table built
    -- before the model kept it is dropped on run start (csw_drop_incremental_tables_of_other_versions)
    select max(_csw_known_until_at) as known_until_at
    from built
    where _csw_built_at = (select max(latest._csw_built_at) from built as latest)

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

    union

    -- a ticket with an event between the previous as-of time and this run's, either way
    select ticket_events.ticket_id
    from ticket_events
    cross join as_of
    cross join previous_as_of
    where
        ticket_events.created_at >= least(previous_as_of.known_until_at, as_of.as_of_end_at)
        and ticket_events.created_at < greatest(previous_as_of.known_until_at, as_of.as_of_end_at)

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

known_events as (

    -- the events before the as-of time: an as-of build knows no later one
    select events.*
    from events
    cross join as_of
    where events.created_at < as_of.as_of_end_at

),

last_status_changes as (

    -- the ticket's last status change at any time: after the as-of time, its extracted status
    -- is not its status at the as-of time
    select
        ticket_id,
        max(created_at) as last_status_change_at
    from events
    where event_type = 'status_change'
    group by ticket_id

),

first_replies as (

    -- a reply stamped at the creation instant counts (0 minutes): it is not before creation
    select
        ticket_id,
        min(created_at) as first_reply_at
    from known_events
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
        ) as previous_status,
        row_number() over (
            partition by ticket_id
            order by created_at desc, event_id desc
        ) as recency_rank
    from known_events
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
        ) as reopen_count,
        max(case when recency_rank = 1 then new_value end) as latest_known_status
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
    from known_events
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
        resolutions.latest_known_status,
        last_status_changes.last_status_change_at,
        as_of.as_of_end_at as _csw_known_until_at,
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
    left join last_status_changes
        on ticket_keys.ticket_id = last_status_changes.ticket_id
    cross join as_of

)

select * from final
