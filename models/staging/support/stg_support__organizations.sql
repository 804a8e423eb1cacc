-- Current, valid support.organizations records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_support__organizations') }}
    where _dq_status = 'staged'

),

final as (

    select
        organization_id,
        crm_account_id,
        organization_name,
        {{ csw_staged_columns() }}

    from base

)

select * from final
