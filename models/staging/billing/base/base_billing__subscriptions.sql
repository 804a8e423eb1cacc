-- Typed, checked and deduplicated billing.subscriptions: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: subscription_id.

with

source as (

    select * from {{ source('billing', 'subscriptions') }}

),

parsed as (

    select
        {{ csw_parse_text('subscription_id') }} as subscription_id,
        {{ csw_parse_text('billing_account_id') }} as billing_account_id,
        {{ csw_parse_text('status') }} as status,
        {{ csw_parse_date('started_on') }} as started_on,
        {{ csw_parse_date('canceled_on') }} as canceled_on,
        {{ csw_parse_text('cancel_reason') }} as cancel_reason,
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['subscription_id']) }} as _record_key,
        {{ csw_has_null(['subscription_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('started_on', 'date'),
            ('canceled_on', 'date'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ]) }} as _unparseable_reason

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('status', [
                    'trialing',
                    'active',
                    'past_due',
                    'canceled',
                ]) }}
                    then 'unknown_value:status'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['subscription_id']) }}

),

final as (

    select
        subscription_id,
        billing_account_id,
        status,
        started_on,
        canceled_on,
        cancel_reason,
        _loaded_at,
        _loaded_at_raw,
        _is_deleted,
        _source_file,
        _source_row_number,
        _record_key,
        _dq_status,
        _dq_reason

    from deduplicated

)

select * from final
