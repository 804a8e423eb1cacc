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
        {{ csw_dq_parsed_columns(['product_id'], required=['product_line']) }}

    from source

),

deduplicated as (

    {{ csw_dq_status('parsed', ['product_id'], rule_violation='_unparseable_reason') }}

),

final as (

    select
        product_id,
        product_name,
        product_line,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
