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
        _loaded_at,
        _source_file,
        _source_row_number

    from base

)

select * from final
