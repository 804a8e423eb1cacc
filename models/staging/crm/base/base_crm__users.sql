-- Typed, checked and deduplicated crm.users: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: user_id.

with

source as (

    select * from {{ source('crm', 'users') }}

),

parsed as (

    select
        {{ csw_parse_text('user_id') }} as user_id,
        {{ csw_parse_text('full_name') }} as full_name,
        {{ csw_parse_email('email') }} as email,
        {{ csw_parse_text('role') }} as role,
        {{ csw_parse_boolean('is_active') }} as is_active,
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['user_id']) }} as _record_key,
        {{ csw_has_null(['user_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('is_active', 'boolean'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'role',
        ]) }} as _unparseable_reason

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('role', ['csm', 'account_manager', 'support', 'sales']) }}
                    then 'unknown_value:role'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['user_id']) }}

),

final as (

    select
        user_id,
        full_name,
        email,
        role,
        is_active,
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
