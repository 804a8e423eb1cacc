-- Typed, checked and deduplicated billing.exchange_rates: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: currency, rate_date.

with

source as (

    select * from {{ source('billing', 'exchange_rates') }}

),

parsed as (

    select
        {{ csw_parse_date('rate_date') }} as rate_date,
        {{ csw_parse_text('currency') }} as currency,
        {{ csw_parse_decimal('usd_per_unit', 18, 8) }} as usd_per_unit,
        {{ csw_dq_parsed_columns(
            ['currency', 'rate_date'],
            checks=[('rate_date', 'date'), ('usd_per_unit', 'decimal(18,8)')],
            required=['usd_per_unit'],
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when usd_per_unit <= 0 then 'out_of_range:usd_per_unit'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['currency', 'rate_date']) }}

),

final as (

    select
        rate_date,
        currency,
        usd_per_unit,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
