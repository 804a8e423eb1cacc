-- Typed, checked and deduplicated support.ticket_events: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: event_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).
-- Every row it writes is stamped with the run (_csw_invocation_id, _csw_built_at).


{{ config(**csw_incremental_config('support', 'ticket_events')) }}

with

source as (

    {{ csw_incremental_source('support', 'ticket_events', ['event_id']) }}

),

parsed as (

    select
        {{ csw_parse_text('event_id') }} as event_id,
        {{ csw_parse_text('ticket_id') }} as ticket_id,
        {{ csw_parse_timestamp('created_at') }} as created_at,
        {{ csw_parse_text('actor_type') }} as actor_type,
        {{ csw_parse_text('event_type') }} as event_type,
        {{ csw_parse_boolean('is_public') }} as is_public,
        {{ csw_parse_text('new_value') }} as new_value,
        {{ csw_dq_parsed_columns(
            ['event_id'],
            checks=[('created_at', 'timestamp'), ('is_public', 'boolean')],
            required=['ticket_id', 'created_at', 'actor_type', 'event_type'],
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
                when {{ csw_not_accepted('actor_type', ['agent', 'end_user', 'system']) }}
                    then 'unknown_value:actor_type'
                when {{ csw_not_accepted('event_type', [
                    'comment',
                    'status_change',
                    'priority_change',
                    'group_change',
                ]) }}
                    then 'unknown_value:event_type'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['event_id']) }}

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
        {{ csw_dq_final_columns(with_file_id=true) }},
        {{ csw_incremental_stamp() }}

    from deduplicated

)

select * from final
