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
        {{ csw_dq_parsed_columns(
            ['user_id'],
            checks=[('is_active', 'boolean')],
            required=['role'],
        ) }}

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
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
