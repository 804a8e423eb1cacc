{#-
    The NAIVE BASELINE of `csw bench` (BENCHMARKS.md): an MRR table written the common way, as
    in the dbt mrr-playbook (github.com/dbt-labs/mrr-playbook, customer_revenue_by_month.sql and
    mrr.sql): a dense spine of every customer (x product x currency) and every month from its
    first to its last month (a range join to the month spine), a left join back to the charge
    segments on a date range, a sum, the FX conversion, then lag() for the month-over-month change.

    An analysis: dbt compiles it, never builds it. `csw bench` runs the compiled SQL on the built
    warehouse, checks its total MRR per month equals marts.fct_mrr, and times it against our models
    (int_charge_segments__months -> int_mrr__customer_product_month_currency ->
    int_mrr__customer_product_month -> fct_mrr), which explode each segment into its months instead.
-#}
with

segments as (

    select
        customer_id,
        product_id,
        currency,
        segment_mrr_cents,
        first_counted_month,
        last_counted_month

    from {{ ref('int_charge_segments') }}
    where is_counted

),

months as (

    select month_start_date

    from {{ ref('int_months__spine') }}

),

fx_rates as (

    select
        currency,
        month_start_date,
        usd_per_unit_e8

    from {{ ref('int_fx_rates__monthly') }}

),

-- first and last month of each customer x product x currency
customer_products as (

    select
        customer_id,
        product_id,
        currency,
        min(first_counted_month) as first_month,
        max(last_counted_month) as last_month

    from segments
    group by
        customer_id,
        product_id,
        currency

),

-- one row per month between the first and the last month (a date spine)
customer_product_months as (

    select
        customer_products.customer_id,
        customer_products.product_id,
        customer_products.currency,
        months.month_start_date

    from customer_products
    inner join months
        on
            customer_products.first_month <= months.month_start_date
            and customer_products.last_month >= months.month_start_date

),

-- the spine joined back to every segment live in the month (zero in a gap)
joined as (

    select
        customer_product_months.customer_id,
        customer_product_months.product_id,
        customer_product_months.currency,
        customer_product_months.month_start_date,
        coalesce(sum(segments.segment_mrr_cents), 0) as local_mrr_cents

    from customer_product_months
    left join segments
        on
            customer_product_months.customer_id = segments.customer_id
            and customer_product_months.product_id = segments.product_id
            and customer_product_months.currency = segments.currency
            and customer_product_months.month_start_date >= segments.first_counted_month
            and customer_product_months.month_start_date <= segments.last_counted_month
    group by
        customer_product_months.customer_id,
        customer_product_months.product_id,
        customer_product_months.currency,
        customer_product_months.month_start_date

),

converted as (

    select
        joined.customer_id,
        joined.product_id,
        joined.month_start_date,
        {{ csw_local_cents_to_usd('joined.local_mrr_cents', 'fx_rates.usd_per_unit_e8') }}
            as usd_mrr_cents

    from joined
    inner join fx_rates
        on
            joined.currency = fx_rates.currency
            and joined.month_start_date = fx_rates.month_start_date

),

customer_product_mrr as (

    select
        customer_id,
        product_id,
        month_start_date,
        cast(sum(usd_mrr_cents) as bigint) as mrr_usd_cents

    from converted
    group by
        customer_id,
        product_id,
        month_start_date

),

-- prior month MRR and the change, as the playbook's mrr.sql
with_changes as (

    select
        customer_id,
        product_id,
        month_start_date,
        mrr_usd_cents,
        coalesce(
            lag(mrr_usd_cents) over (
                partition by customer_id, product_id
                order by month_start_date
            ),
            0
        ) as previous_month_mrr_usd_cents

    from customer_product_mrr

),

final as (

    select
        customer_id,
        product_id,
        month_start_date as month,  -- noqa: RF04
        {{ csw_cents_to_decimal('mrr_usd_cents') }} as mrr_usd,
        {{ csw_cents_to_decimal('previous_month_mrr_usd_cents') }} as previous_month_mrr_usd,
        {{ csw_cents_to_decimal('mrr_usd_cents - previous_month_mrr_usd_cents') }}
            as mrr_change_usd,
        case
            when mrr_usd_cents > 0 and previous_month_mrr_usd_cents = 0 then 'new_or_reactivation'
            when mrr_usd_cents = 0 and previous_month_mrr_usd_cents > 0 then 'churn'
            when mrr_usd_cents > previous_month_mrr_usd_cents then 'upgrade'
            when mrr_usd_cents < previous_month_mrr_usd_cents then 'downgrade'
        end as change_category

    from with_changes

)

select * from final
