-- The customer-success snapshot spine: one row per customer and month in which the
-- customer has MRR, with the customer's segment that month (int_customer_months__segmented),
-- its MRR, the MRR three months earlier, its licensed seats (sum of the quantities of its
-- counted recurring charge segments, as fct_mrr.quantity), and the snapshot date every
-- monthly customer-success metric is measured at (the last day of the month, or the as-of
-- date in the as-of month). Built from the same intermediates as fct_mrr, not from the mart.

with

product_months as (

    select * from {{ ref('int_mrr__customer_product_month') }}
    where mrr_usd_cents > 0

),

segments as (

    select * from {{ ref('int_customer_months__segmented') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

customer_months as (

    select
        product_months.customer_id,
        product_months.month_start_date as month,  -- noqa: RF04
        max(segments.segment) as segment,
        sum({{ csw_cents_to_decimal('product_months.mrr_usd_cents') }}) as mrr_usd,
        sum(product_months.quantity) as licensed_seats
    from product_months
    left join segments
        on
            product_months.customer_id = segments.customer_id
            and product_months.month_start_date = segments.month_start_date
    group by product_months.customer_id, product_months.month_start_date

),

with_history as (

    select
        current_month.customer_id,
        current_month.month,
        current_month.segment,
        current_month.mrr_usd,
        current_month.licensed_seats,
        coalesce(three_months_ago.mrr_usd, 0) as mrr_usd_3m_ago
    from customer_months as current_month
    left join customer_months as three_months_ago
        on
            current_month.customer_id = three_months_ago.customer_id
            and three_months_ago.month
            = {{ dbt.dateadd('month', -3, 'current_month.month') }}

),

final as (

    select
        with_history.customer_id,
        cast(with_history.month as date) as month,  -- noqa: RF04
        case
            when {{ dbt.last_day('with_history.month', 'month') }} < as_of.as_of_date
                then cast({{ dbt.last_day('with_history.month', 'month') }} as date)
            else cast(as_of.as_of_date as date)
        end as snapshot_date,
        with_history.segment,
        -- typed: a sum has no scale of its own on PostgreSQL (100.0 there, 100.00 here)
        cast(with_history.mrr_usd as decimal(18, 2)) as mrr_usd,
        cast(with_history.mrr_usd_3m_ago as decimal(18, 2)) as mrr_usd_3m_ago,
        with_history.licensed_seats
    from with_history
    cross join as_of

)

select * from final
