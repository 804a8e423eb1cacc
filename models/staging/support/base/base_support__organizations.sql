-- Typed, checked and deduplicated support.organizations: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: organization_id.

with

source as (

    select * from {{ source('support', 'organizations') }}

),

parsed as (

    select
        {{ csw_parse_text('organization_id') }} as organization_id,
        {{ csw_parse_text('crm_account_id') }} as crm_account_id,
        {{ csw_parse_text('organization_name') }} as organization_name,
        {{ csw_dq_parsed_columns(['organization_id']) }}

    from source

),

deduplicated as (

    {{ csw_dq_status('parsed', ['organization_id'], rule_violation='_unparseable_reason') }}

),

final as (

    select
        organization_id,
        crm_account_id,
        organization_name,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
