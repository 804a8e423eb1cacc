-- Typed, checked and deduplicated billing.invoices: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: invoice_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(**csw_incremental_config('billing', 'invoices')) }}

with

source as (

    {{ csw_incremental_source('billing', 'invoices', ['invoice_id']) }}

),

parsed as (

    select
        {{ csw_parse_text('invoice_id') }} as invoice_id,
        {{ csw_parse_text('billing_account_id') }} as billing_account_id,
        {{ csw_parse_text('subscription_id') }} as subscription_id,
        {{ csw_parse_date('issued_on') }} as issued_on,
        {{ csw_parse_date('due_on') }} as due_on,
        {{ csw_parse_decimal('subtotal', 18, 2) }} as subtotal,
        {{ csw_parse_decimal('tax_amount', 18, 2) }} as tax_amount,
        {{ csw_parse_text('status') }} as status,
        {{ csw_parse_timestamp('paid_at') }} as paid_at,
        {{ csw_dq_parsed_columns(
            ['invoice_id'],
            checks=[
                ('issued_on', 'date'), ('due_on', 'date'), ('subtotal', 'decimal(18,2)'),
                ('tax_amount', 'decimal(18,2)'), ('paid_at', 'timestamp'),
            ],
            required=['billing_account_id', 'issued_on', 'subtotal', 'status'],
            with_file_id=true,
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('status', ['paid', 'open', 'void', 'uncollectible']) }}
                    then 'unknown_value:status'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['invoice_id']) }}

),

final as (

    select
        invoice_id,
        billing_account_id,
        subscription_id,
        issued_on,
        due_on,
        subtotal,
        tax_amount,
        status,
        paid_at,
        {{ csw_dq_final_columns(with_file_id=true) }}

    from deduplicated

)

select * from final
