-- Current, valid billing.products records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_billing__products') }}
    where _dq_status = 'staged'

),

final as (

    select
        product_id,
        product_name,
        product_line,
        {{ csw_staged_columns() }}

    from base

)

select * from final
