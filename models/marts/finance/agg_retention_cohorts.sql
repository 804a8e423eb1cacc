-- Retention per first-paid-month cohort x month (metrics.md "Rates and retention"): customers,
-- MRR, NRR and GRR against the cohort's first-month MRR restated at M's rates.

with

months as (

    select * from {{ ref('int_months__spine') }}

),

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

),

currency_months as (

    select * from {{ ref('int_mrr__customer_product_month_currency') }}
    where local_mrr_cents <> 0

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

cohort_members as (

    select
        customer_id,
        min(month_start_date) as cohort_month

    from customer_months
    where mrr_usd_cents > 0
    group by customer_id

),

{# Each cohort customer's first-month local MRR restated at the rates of
    every month since (per product and currency, like prev_restated). #}
first_month_restated as (

    select
        cohort_members.customer_id,
        cohort_members.cohort_month,
        fx_rates.month_start_date,
        sum(
            {{ csw_local_cents_to_usd(
                'currency_months.local_mrr_cents', 'fx_rates.usd_per_unit_e8'
            ) }}
        ) as first_month_restated_cents

    from cohort_members
    inner join currency_months
        on
            cohort_members.customer_id = currency_months.customer_id
            and cohort_members.cohort_month = currency_months.month_start_date
    inner join fx_rates
        on
            currency_months.currency = fx_rates.currency
            and cohort_members.cohort_month <= fx_rates.month_start_date
    group by
        cohort_members.customer_id,
        cohort_members.cohort_month,
        fx_rates.month_start_date

),

customer_progress as (

    select
        first_month_restated.customer_id,
        first_month_restated.cohort_month,
        first_month_restated.month_start_date,
        first_month_restated.first_month_restated_cents,
        coalesce(customer_months.mrr_usd_cents, 0) as mrr_usd_cents

    from first_month_restated
    left join customer_months
        on
            first_month_restated.customer_id = customer_months.customer_id
            and first_month_restated.month_start_date = customer_months.month_start_date

),

cohort_months as (

    select
        cohort_month,
        month_start_date,
        count(*) as cohort_customers,
        sum(case when mrr_usd_cents > 0 then 1 else 0 end) as active_customers,
        sum(mrr_usd_cents) as mrr_usd_cents,
        sum(first_month_restated_cents) as first_month_restated_cents,
        sum({{ csw_grr_capped('mrr_usd_cents', 'first_month_restated_cents') }})
            as capped_mrr_usd_cents

    from customer_progress
    group by
        cohort_month,
        month_start_date

),

final as (

    select
        cohort_months.cohort_month,
        cohort_months.month_start_date as month,  -- noqa: RF04
        cast(
            {{ dbt.datediff(
                'cohort_months.cohort_month', 'cohort_months.month_start_date', 'month'
            ) }}
            as integer
        ) as months_since_cohort_start,
        cast(cohort_months.cohort_customers as integer) as cohort_customers,
        cast(cohort_months.active_customers as integer) as active_customers,
        {{ csw_ratio('cohort_months.active_customers', 'cohort_months.cohort_customers') }}
            as logo_retention,
        {{ csw_cents_to_decimal('cohort_months.mrr_usd_cents') }} as mrr_usd,
        {{ csw_ratio('cohort_months.mrr_usd_cents', 'cohort_months.first_month_restated_cents') }}
            as nrr,
        {{ csw_ratio(
            'cohort_months.capped_mrr_usd_cents', 'cohort_months.first_month_restated_cents'
        ) }}
            as grr

    from cohort_months
    inner join months
        on cohort_months.month_start_date = months.month_start_date

)

select * from final
