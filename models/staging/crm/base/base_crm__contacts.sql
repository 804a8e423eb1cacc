-- Typed, checked and deduplicated crm.contacts: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: contact_id.

with

source as (

    select * from {{ source('crm', 'contacts') }}

),

parsed as (

    select
        {{ csw_parse_text('contact_id') }} as contact_id,
        {{ csw_parse_text('account_id') }} as account_id,
        {{ csw_parse_email('email') }} as email,
        {{ csw_parse_text('full_name') }} as full_name,
        {{ csw_parse_text('title') }} as title,
        {{ csw_parse_timestamp('created_at') }} as created_at,
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['contact_id']) }} as _record_key,
        {{ csw_has_null(['contact_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('created_at', 'timestamp'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'account_id',
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

    {{ csw_dq_status('checked', ['contact_id']) }}

),

final as (

    select
        contact_id,
        account_id,
        email,
        full_name,
        title,
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
