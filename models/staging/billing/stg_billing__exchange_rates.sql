-- Current, valid billing.exchange_rates records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_billing__exchange_rates') }}
    where _dq_status = 'staged'

),

final as (

    select
        rate_date,
        currency,
        usd_per_unit,
        _loaded_at,
        _source_file,
        _source_row_number

    from base

)

select * from final
