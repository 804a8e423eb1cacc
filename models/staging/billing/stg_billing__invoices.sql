-- Current, valid billing.invoices records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_billing__invoices') }}
    where _dq_status = 'staged'

),

final as (

    select
        invoice_id,
        billing_account_id,
        subscription_id,
        issued_on as issued_date,
        due_on as due_date,
        subtotal,
        tax_amount,
        status,
        paid_at,
        {{ csw_staged_columns() }}

    from base

)

select * from final
