-- Typed, checked and deduplicated crm.accounts: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: account_id.

with

source as (

    select * from {{ source('crm', 'accounts') }}

),

parsed as (

    select
        {{ csw_parse_text('account_id') }} as account_id,
        {{ csw_parse_text('account_name') }} as account_name,
        {{ csw_parse_text('industry') }} as industry,
        {{ csw_parse_integer('employee_count') }} as employee_count,
        {{ csw_parse_text('country_code') }} as country_code,
        {{ csw_parse_text('owner_user_id') }} as owner_user_id,
        {{ csw_parse_timestamp('created_at') }} as created_at,
        {{ csw_parse_text('merged_into_account_id') }} as merged_into_account_id,
        {{ csw_dq_parsed_columns(
            ['account_id'],
            checks=[('employee_count', 'integer'), ('created_at', 'timestamp')],
            required=['created_at'],
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when employee_count < 0 then 'out_of_range:employee_count'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['account_id']) }}

),

final as (

    select
        account_id,
        account_name,
        industry,
        employee_count,
        country_code,
        owner_user_id,
        created_at,
        merged_into_account_id,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
