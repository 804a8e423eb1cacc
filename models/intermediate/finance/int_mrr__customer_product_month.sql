-- Customer x product x month (months with MRR in M or M-1): USD MRR summed over currencies,
-- local MRR and currency, and M-1 at M-1's and at M's rates. The product grain of fct_mrr.

with

currency_months as (

    select * from {{ ref('int_mrr__customer_product_month_currency') }}

),

aggregated as (

    select
        customer_id,
        product_id,
        month_start_date,
        cast(sum(usd_mrr_cents) as bigint) as mrr_usd_cents,
        count(case when counted_segments > 0 then currency end) as currency_count,
        min(case when counted_segments > 0 then currency end) as min_currency,
        cast(
            sum(case when counted_segments > 0 then local_mrr_cents end) as bigint
        ) as local_mrr_cents,
        cast(sum(quantity) as bigint) as quantity,
        cast(sum(prev_usd_mrr_cents) as bigint) as prev_mrr_usd_cents,
        cast(sum(prev_restated_usd_cents) as bigint) as prev_restated_usd_cents,
        cast(sum(prev_quantity) as bigint) as prev_quantity

    from currency_months
    group by
        customer_id,
        product_id,
        month_start_date

),

final as (

    select
        customer_id,
        product_id,
        month_start_date,
        mrr_usd_cents,
        case when currency_count = 1 then local_mrr_cents end as mrr_local_cents,
        case
            when currency_count > 1 then 'MULTI'
            when currency_count = 1 then min_currency
        end as currency,
        quantity,
        prev_mrr_usd_cents,
        prev_restated_usd_cents,
        prev_quantity

    from aggregated

)

select * from final
