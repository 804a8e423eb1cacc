-- MRR per customer x product x month (metrics.md "MRR"), USD and local, only rows with MRR > 0
-- up to the as-of month: the mart finance reconciles against billing.

with

product_months as (

    select * from {{ ref('int_mrr__customer_product_month') }}
    where mrr_usd_cents > 0

),

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

),

final as (

    select
        product_months.customer_id,
        product_months.product_id,
        product_months.month_start_date as month,  -- noqa: RF04
        {{ csw_cents_to_decimal('product_months.mrr_usd_cents') }} as mrr_usd,
        {{ csw_cents_to_decimal('product_months.mrr_local_cents') }} as mrr_local,
        product_months.currency,
        cast(product_months.quantity as bigint) as quantity,
        customer_months.segment

    from product_months
    inner join customer_months
        on
            product_months.customer_id = customer_months.customer_id
            and product_months.month_start_date = customer_months.month_start_date

)

select * from final
