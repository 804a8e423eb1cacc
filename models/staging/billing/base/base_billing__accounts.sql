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
        {{ csw_dq_parsed_columns(
            ['billing_account_id'],
            checks=[('created_at', 'timestamp')],
            required=['currency', 'created_at'],
        ) }}

    from source

),

deduplicated as (

    {{ csw_dq_status('parsed', ['billing_account_id'], rule_violation='_unparseable_reason') }}

),

final as (

    select
        billing_account_id,
        crm_account_id,
        currency,
        created_at,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
