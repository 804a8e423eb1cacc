-- Current, valid billing.payments records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_billing__payments') }}
    where _dq_status = 'staged'

),

final as (

    select
        payment_id,
        invoice_id,
        attempted_at,
        amount,
        outcome,
        failure_code,
        {{ csw_staged_columns() }}

    from base

)

select * from final
