-- Counted charge segment x month: each segment exploded over the months it counts in, the
-- input of every MRR amount (int_mrr__customer_product_month_currency, int_fx_rates__monthly).

with

counted_segments as (

    select * from {{ ref('int_charge_segments') }}
    where is_counted

),

exploded as (

    {{ csw_explode_months(
        'counted_segments',
        'first_counted_month',
        'last_counted_month',
        ref('int_months__spine'),
    ) }}

),

final as (

    select
        charge_id,
        subscription_id,
        customer_id,
        product_id,
        currency,
        month_start_date,
        segment_mrr_cents,
        quantity

    from exploded

)

select * from final
