-- Typed, checked and deduplicated crm.activities: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: activity_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(**csw_incremental_config('crm', 'activities')) }}

with

source as (

    {{ csw_incremental_source('crm', 'activities', ['activity_id']) }}

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
        {{ csw_dq_parsed_columns(
            ['activity_id'],
            checks=[('occurred_at', 'timestamp')],
            required=['account_id', 'activity_type', 'occurred_at'],
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
        {{ csw_dq_final_columns(with_file_id=true) }}

    from deduplicated

)

select * from final
