-- Current, valid billing.subscriptions records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_billing__subscriptions') }}
    where _dq_status = 'staged'

),

final as (

    select
        subscription_id,
        billing_account_id,
        status,
        started_on as started_date,
        canceled_on as canceled_date,
        cancel_reason,
        {{ csw_staged_columns() }}

    from base

)

select * from final
