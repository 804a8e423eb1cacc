-- Current, valid billing.accounts records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_billing__accounts') }}
    where _dq_status = 'staged'

),

final as (

    select
        billing_account_id,
        crm_account_id,
        currency,
        created_at,
        {{ csw_staged_columns() }}

    from base

)

select * from final
