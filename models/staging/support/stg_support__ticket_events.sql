-- Current, valid support.ticket_events records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_support__ticket_events') }}
    where _dq_status = 'staged'

),

final as (

    select
        event_id,
        ticket_id,
        created_at,
        actor_type,
        event_type,
        is_public,
        new_value,
        {{ csw_staged_columns() }}

    from base

)

select * from final
