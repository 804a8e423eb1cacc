-- Typed, checked and deduplicated support.tickets: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: ticket_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(**csw_incremental_config('support', 'tickets')) }}

with

source as (

    {{ csw_incremental_source('support', 'tickets', ['ticket_id']) }}

),

parsed as (

    select
        {{ csw_parse_text('ticket_id') }} as ticket_id,
        {{ csw_parse_text('organization_id') }} as organization_id,
        {{ csw_parse_email('requester_email') }} as requester_email,
        {{ csw_parse_text('channel') }} as channel,
        {{ csw_parse_text('priority') }} as priority,
        {{ csw_parse_text('status') }} as status,
        {{ csw_parse_text('subject') }} as subject,
        {{ csw_parse_timestamp('created_at') }} as created_at,
        {{ csw_dq_parsed_columns(
            ['ticket_id'],
            checks=[('created_at', 'timestamp')],
            required=['channel', 'priority', 'status', 'created_at'],
            with_file_id=true,
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('channel', ['email', 'web', 'chat', 'phone']) }}
                    then 'unknown_value:channel'
                when {{ csw_not_accepted('priority', ['low', 'normal', 'high', 'urgent']) }}
                    then 'unknown_value:priority'
                when {{ csw_not_accepted('status', [
                    'new',
                    'open',
                    'pending',
                    'solved',
                    'closed',
                ]) }}
                    then 'unknown_value:status'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['ticket_id']) }}

),

final as (

    select
        ticket_id,
        organization_id,
        requester_email,
        channel,
        priority,
        status,
        subject,
        created_at,
        {{ csw_dq_final_columns(with_file_id=true) }}

    from deduplicated

)

select * from final
