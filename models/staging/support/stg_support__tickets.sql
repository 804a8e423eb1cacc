-- Current, valid support.tickets records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_support__tickets') }}
    where _dq_status = 'staged'

),

final as (

    select
        ticket_id,
        organization_id,
        requester_email,
        {{ csw_hash('requester_email') }} as requester_email_hash,
        channel,
        priority,
        status,
        subject,
        created_at,
        {{ csw_staged_columns() }}

    from base

)

select * from final
