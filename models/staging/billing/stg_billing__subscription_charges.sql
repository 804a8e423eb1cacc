-- Current, valid billing.subscription_charges records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_billing__subscription_charges') }}
    where _dq_status = 'staged'

),

final as (

    select
        charge_id,
        subscription_id,
        product_id,
        charge_type,
        billing_period,
        unit_price,
        quantity,
        discount_percent,
        effective_from as effective_from_date,
        effective_to as effective_to_date,
        is_trial,
        {{ csw_staged_columns() }}

    from base

)

select * from final
