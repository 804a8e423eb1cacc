-- Typed, checked and deduplicated crm.activities: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: activity_id.
-- Incremental: see csw_incremental_key_filter (macros/incremental/csw_incremental.sql).

{%- set raw_columns = [
    'activity_id',
    'account_id',
    'contact_id',
    'user_id',
    'activity_type',
    'occurred_at',
    'subject',
    '_loaded_at',
    '_is_deleted',
] -%}

{{ config(
    materialized=csw_incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='_record_key',
    pre_hook="{{ csw_incremental_reset(source('crm', 'activities'), " ~ (raw_columns | string) ~ ") }}",
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
        {{ csw_raw_row_hash(raw_columns) }} as _raw_row_hash,
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
        _raw_row_hash,
        _record_key,
        _dq_status,
        _dq_reason

    from deduplicated

)

select * from final
