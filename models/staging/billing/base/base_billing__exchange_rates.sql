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
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['currency', 'rate_date']) }} as _record_key,
        {{ csw_has_null(['currency', 'rate_date']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('rate_date', 'date'),
            ('usd_per_unit', 'decimal(18,8)'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'usd_per_unit',
        ]) }} as _unparseable_reason

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
        _loaded_at,
        _loaded_at_raw,
        _is_deleted,
        _source_file,
        _source_row_number,
        _record_key,
        _dq_status,
        _dq_reason

    from deduplicated

)

select * from final
