-- Payment attempts with the customer they are billed to (grain: payment attempt): through the
-- attempt's invoice and that invoice's billing account (csw_join_payment_customer). An attempt
-- whose invoice or billing account is not staged has no customer and drops out. Read by the
-- health component "financial", its input fingerprints and the payment_failed alert.

with

payments as (

    select * from {{ ref('stg_billing__payments') }}

),

invoices as (

    select * from {{ ref('stg_billing__invoices') }}

),

billing_account_customers as (

    select * from {{ ref('int_billing_accounts__mapped_to_customers') }}

),

final as (

    select
        payments.payment_id,
        payments.invoice_id,
        billing_account_customers.customer_id,
        payments.attempted_at,
        payments.outcome
    from payments
    {{ csw_join_payment_customer('payments', billing_accounts='billing_account_customers') }}

)

select * from final
