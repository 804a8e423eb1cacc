-- Typed, checked and deduplicated billing.products: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: product_id.

with

source as (

    select * from {{ source('billing', 'products') }}

),

parsed as (

    select
        {{ csw_parse_text('product_id') }} as product_id,
        {{ csw_parse_text('product_name') }} as product_name,
        {{ csw_parse_text('product_line') }} as product_line,
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['product_id']) }} as _record_key,
        {{ csw_has_null(['product_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'product_line',
        ]) }} as _unparseable_reason

    from source

),

checked as (

    select
        *,
        _unparseable_reason as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['product_id']) }}

),

final as (

    select
        product_id,
        product_name,
        product_line,
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
