-- Typed, checked and deduplicated support.ticket_events: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: event_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(
    materialized=csw_incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='_record_key',
    pre_hook="{{ csw_incremental_reset(source('support', 'ticket_events')) }}",
) }}

with

source as (

    select * from {{ source('support', 'ticket_events') }}
    {{ csw_incremental_key_filter(source('support', 'ticket_events'), ['event_id']) }}

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
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        _source_file_id,
        {{ csw_record_key(['event_id']) }} as _record_key,
        {{ csw_has_null(['event_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('created_at', 'timestamp'),
            ('is_public', 'boolean'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'ticket_id',
            'created_at',
            'actor_type',
            'event_type',
        ]) }} as _unparseable_reason

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
        _loaded_at,
        _loaded_at_raw,
        _is_deleted,
        _source_file,
        _source_row_number,
        _source_file_id,
        _record_key,
        _dq_status,
        _dq_reason

    from deduplicated

)

select * from final
