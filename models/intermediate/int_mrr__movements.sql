with

product_months as (

    select
        customer_id,
        product_id,
        month_start_date,
        mrr_usd_cents,
        quantity,
        prev_mrr_usd_cents,
        prev_restated_usd_cents,
        prev_quantity

    from {{ ref('int_mrr__customer_product_month') }}

),

customer_months as (

    select
        customer_id,
        month_start_date,
        has_mrr,
        had_mrr_prev_month,
        had_mrr_before,
        bridge_segment

    from {{ ref('int_mrr__customer_month') }}

),

changes as (

    select
        product_months.customer_id,
        product_months.product_id,
        product_months.month_start_date,
        customer_months.bridge_segment,
        product_months.prev_restated_usd_cents - product_months.prev_mrr_usd_cents
            as fx_adjustment_cents,
        product_months.mrr_usd_cents - product_months.prev_restated_usd_cents as delta_cents,
        product_months.prev_restated_usd_cents,
        product_months.quantity,
        product_months.prev_quantity,
        case
            when not customer_months.had_mrr_prev_month and customer_months.has_mrr
                then case when customer_months.had_mrr_before then 'win_back' else 'new' end
            when customer_months.had_mrr_prev_month and not customer_months.has_mrr
                then 'churn'
            when product_months.prev_mrr_usd_cents = 0 then 'cross_sell'
            when product_months.mrr_usd_cents > product_months.prev_restated_usd_cents
                then 'upsell'
            else 'downsell'
        end as business_movement_type

    from product_months
    inner join customer_months
        on
            product_months.customer_id = customer_months.customer_id
            and product_months.month_start_date = customer_months.month_start_date

),

business_movements as (

    select
        customer_id,
        product_id,
        month_start_date,
        business_movement_type as movement_type,
        delta_cents as mrr_change_cents,
        case
            when business_movement_type not in ('upsell', 'downsell') then null
            when prev_quantity = 0 then 0
            else {{ csw_div_round_half_up(
                'cast(prev_restated_usd_cents as decimal(38, 0)) * (quantity - prev_quantity)',
                'prev_quantity'
            ) }}
        end as quantity_effect_cents,
        bridge_segment

    from changes
    where delta_cents <> 0

),

fx_movements as (

    select
        customer_id,
        product_id,
        month_start_date,
        'fx_adjustment' as movement_type,
        fx_adjustment_cents as mrr_change_cents,
        cast(null as bigint) as quantity_effect_cents,
        bridge_segment

    from changes
    where fx_adjustment_cents <> 0

),

all_movements as (

    select * from business_movements
    union all
    select * from fx_movements

),

final as (

    select
        customer_id,
        product_id,
        month_start_date,
        movement_type,
        mrr_change_cents,
        quantity_effect_cents,
        mrr_change_cents - quantity_effect_cents as price_effect_cents,
        bridge_segment

    from all_movements

)

select * from final
