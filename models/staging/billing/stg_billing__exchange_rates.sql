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
        {{ csw_staged_columns() }}

    from base

)

select * from final
