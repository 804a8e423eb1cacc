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
        {{ csw_dq_parsed_columns(
            ['contact_id'],
            checks=[('created_at', 'timestamp')],
            required=['account_id'],
        ) }}

    from source

),

deduplicated as (

    {{ csw_dq_status('parsed', ['contact_id'], rule_violation='_unparseable_reason') }}

),

final as (

    select
        contact_id,
        account_id,
        email,
        full_name,
        title,
        created_at,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
