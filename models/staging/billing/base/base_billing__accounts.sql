-- Typed, checked and deduplicated billing.accounts: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: billing_account_id.

with

source as (

    select * from {{ source('billing', 'accounts') }}

),

parsed as (

    select
        {{ csw_parse_text('billing_account_id') }} as billing_account_id,
        {{ csw_parse_text('crm_account_id') }} as crm_account_id,
        {{ csw_parse_text('currency') }} as currency,
        {{ csw_parse_timestamp('created_at') }} as created_at,
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['billing_account_id']) }} as _record_key,
        {{ csw_has_null(['billing_account_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('created_at', 'timestamp'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'currency',
            'created_at',
        ]) }} as _unparseable_reason

    from source

),

checked as (

    select
        *,
        _unparseable_reason as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['billing_account_id']) }}

),

final as (

    select
        billing_account_id,
        crm_account_id,
        currency,
        created_at,
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
