-- MRR movements per customer x product line x month x movement type (metrics.md "MRR
-- movements"), in USD: a plan change inside a line is an upsell or downsell whose
-- quantity, price and tier effects add up to the change.

with

movements as (

    select * from {{ ref('int_mrr__movements') }}

),

final as (

    select
        customer_id,
        product_line,
        month_start_date as month,  -- noqa: RF04
        movement_type,
        {{ csw_cents_to_decimal('mrr_change_cents') }} as mrr_change_usd,
        {{ csw_cents_to_decimal('quantity_effect_cents') }} as quantity_effect_usd,
        {{ csw_cents_to_decimal('price_effect_cents') }} as price_effect_usd,
        {{ csw_cents_to_decimal('tier_effect_cents') }} as tier_effect_usd,
        products_before,
        products_after,
        bridge_segment as segment

    from movements

)

select * from final
