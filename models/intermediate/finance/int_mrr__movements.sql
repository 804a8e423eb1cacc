-- MRR movements in cents per customer x product line x month (metrics.md "MRR movements"):
-- products of one line are tiers of one offering, so a plan change inside a line is an
-- upsell or a downsell (with a tier effect), and a cross-sell is a line the customer did
-- not have. Read by fct_mrr_movements and int_mrr__customer_month_changes.

with

product_months as (

    select * from {{ ref('int_mrr__customer_product_month') }}

),

products as (

    select * from {{ ref('stg_billing__products') }}

),

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

),

{# A product without a product row (a relationships test warns about it) is its own line. #}
lined as (

    select
        product_months.*,
        coalesce(products.product_line, product_months.product_id) as product_line

    from product_months
    left join products
        on product_months.product_id = products.product_id

),

{# Line amounts are sums of the product amounts (each rounded per product and currency,
    like fct_mrr); the product sets tell a plan change from a price change. #}
line_months as (

    select
        customer_id,
        product_line,
        month_start_date,
        cast(sum(mrr_usd_cents) as bigint) as mrr_usd_cents,
        cast(sum(quantity) as bigint) as quantity,
        cast(sum(prev_mrr_usd_cents) as bigint) as prev_mrr_usd_cents,
        cast(sum(prev_restated_usd_cents) as bigint) as prev_restated_usd_cents,
        cast(sum(prev_quantity) as bigint) as prev_quantity,
        {{ csw_sorted_list('case when prev_mrr_usd_cents > 0 then product_id end') }}
            as products_before,
        {{ csw_sorted_list('case when mrr_usd_cents > 0 then product_id end') }}
            as products_after,
        sum(
            case
                when prev_mrr_usd_cents > 0 and mrr_usd_cents > 0 then 0
                when prev_mrr_usd_cents > 0 or mrr_usd_cents > 0 then 1
                else 0
            end
        ) as changed_products

    from lined
    group by
        customer_id,
        product_line,
        month_start_date

),

changes as (

    select
        line_months.customer_id,
        line_months.product_line,
        line_months.month_start_date,
        customer_months.bridge_segment,
        line_months.products_before,
        line_months.products_after,
        line_months.prev_restated_usd_cents - line_months.prev_mrr_usd_cents
            as fx_adjustment_cents,
        line_months.mrr_usd_cents - line_months.prev_restated_usd_cents as delta_cents,
        line_months.prev_restated_usd_cents,
        line_months.quantity,
        line_months.prev_quantity,
        line_months.changed_products > 0 as is_plan_change,
        case
            when not customer_months.had_mrr_prev_month and customer_months.has_mrr
                then case when customer_months.had_mrr_before then 'win_back' else 'new' end
            when customer_months.had_mrr_prev_month and not customer_months.has_mrr
                then 'churn'
            when line_months.prev_mrr_usd_cents = 0 then 'cross_sell'
            when line_months.mrr_usd_cents > line_months.prev_restated_usd_cents
                then 'upsell'
            else 'downsell'
        end as business_movement_type

    from line_months
    inner join customer_months
        on
            line_months.customer_id = customer_months.customer_id
            and line_months.month_start_date = customer_months.month_start_date

),

{# quantity_effect = round_half_up(prev_restated * (Q - Q_prev) / Q_prev), 0 when Q_prev = 0;
    the rest of the change is the tier effect on a plan change, else the price effect. #}
business_movements as (

    select
        customer_id,
        product_line,
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
        is_plan_change,
        products_before,
        products_after,
        bridge_segment

    from changes
    where delta_cents <> 0

),

fx_movements as (

    select
        customer_id,
        product_line,
        month_start_date,
        'fx_adjustment' as movement_type,
        fx_adjustment_cents as mrr_change_cents,
        cast(null as bigint) as quantity_effect_cents,
        is_plan_change,
        products_before,
        products_after,
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
        product_line,
        month_start_date,
        movement_type,
        mrr_change_cents,
        quantity_effect_cents,
        case
            when quantity_effect_cents is null then null
            when is_plan_change then 0
            else mrr_change_cents - quantity_effect_cents
        end as price_effect_cents,
        case
            when quantity_effect_cents is null then null
            when is_plan_change then mrr_change_cents - quantity_effect_cents
            else 0
        end as tier_effect_cents,
        products_before,
        products_after,
        bridge_segment

    from all_movements

)

select * from final
