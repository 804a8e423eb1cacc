-- Typed, checked and deduplicated crm.activities: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: activity_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(
    materialized=csw_incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='_record_key',
    pre_hook="{{ csw_incremental_reset(source('crm', 'activities')) }}",
) }}

with

source as (

    select * from {{ source('crm', 'activities') }}
    {{ csw_incremental_key_filter(source('crm', 'activities'), ['activity_id']) }}

),

parsed as (

    select
        {{ csw_parse_text('activity_id') }} as activity_id,
        {{ csw_parse_text('account_id') }} as account_id,
        {{ csw_parse_text('contact_id') }} as contact_id,
        {{ csw_parse_text('user_id') }} as user_id,
        {{ csw_parse_text('activity_type') }} as activity_type,
        {{ csw_parse_timestamp('occurred_at') }} as occurred_at,
        {{ csw_parse_text('subject') }} as subject,
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        _source_file_id,
        {{ csw_record_key(['activity_id']) }} as _record_key,
        {{ csw_has_null(['activity_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('occurred_at', 'timestamp'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'account_id',
            'activity_type',
            'occurred_at',
        ]) }} as _unparseable_reason

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('activity_type', [
                    'meeting',
                    'call',
                    'qbr',
                    'onsite_visit',
                    'email',
                    'webinar',
                    'training',
                    'in_app_message',
                    'automated_email',
                    'community_post',
                    'community_event',
                ]) }}
                    then 'unknown_value:activity_type'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['activity_id']) }}

),

final as (

    select
        activity_id,
        account_id,
        contact_id,
        user_id,
        activity_type,
        occurred_at,
        subject,
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
