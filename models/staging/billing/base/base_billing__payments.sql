-- Typed, checked and deduplicated billing.payments: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: payment_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(**csw_incremental_config('billing', 'payments')) }}

with

source as (

    {{ csw_incremental_source('billing', 'payments', ['payment_id']) }}

),

parsed as (

    select
        {{ csw_parse_text('payment_id') }} as payment_id,
        {{ csw_parse_text('invoice_id') }} as invoice_id,
        {{ csw_parse_timestamp('attempted_at') }} as attempted_at,
        {{ csw_parse_decimal('amount', 18, 2) }} as amount,
        {{ csw_parse_text('outcome') }} as outcome,
        {{ csw_parse_text('failure_code') }} as failure_code,
        {{ csw_dq_parsed_columns(
            ['payment_id'],
            checks=[('attempted_at', 'timestamp'), ('amount', 'decimal(18,2)')],
            required=['invoice_id', 'attempted_at', 'amount', 'outcome'],
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
                when {{ csw_not_accepted('outcome', ['succeeded', 'failed']) }}
                    then 'unknown_value:outcome'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['payment_id']) }}

),

final as (

    select
        payment_id,
        invoice_id,
        attempted_at,
        amount,
        outcome,
        failure_code,
        {{ csw_dq_final_columns(with_file_id=true) }}

    from deduplicated

)

select * from final
