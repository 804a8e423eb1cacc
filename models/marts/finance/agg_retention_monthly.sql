-- Company-wide retention rates per month (metrics.md "Rates and retention"): logo and gross MRR
-- churn, monthly and 12-month NRR and GRR, from the bridge and the customer-month MRR.

with

months as (

    select * from {{ ref('int_months__spine') }}

),

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

),

bridge as (

    select
        month as month_start_date,  -- noqa: RF04
        {{ csw_scaled_int('starting_mrr_usd', 2) }} as starting_mrr_cents,
        {{ csw_scaled_int('fx_adjustment_usd', 2) }} as fx_adjustment_cents,
        {{ csw_scaled_int('expansion_usd', 2) }} as expansion_cents,
        {{ csw_scaled_int('contraction_usd', 2) }} as contraction_cents,
        {{ csw_scaled_int('churn_usd', 2) }} as churn_cents

    from {{ ref('agg_mrr_bridge_monthly') }}
    where segment = 'all'

),

currency_months as (

    select * from {{ ref('int_mrr__customer_product_month_currency') }}
    where local_mrr_cents <> 0

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

monthly_customers as (

    select
        month_start_date,
        sum(case when prev_mrr_usd_cents > 0 then 1 else 0 end) as customers_start,
        sum(case when is_churn then 1 else 0 end) as churned_customers

    from customer_months
    group by month_start_date

),

{# 12-month base: customers with MRR in M-12, their M-12 local MRR restated
    at M's rates (per customer, product and currency, like prev_restated). #}
base_restated as (

    select
        currency_months.customer_id,
        cast({{ dbt.dateadd('month', 12, 'currency_months.month_start_date') }} as date)
            as month_start_date,
        sum(
            {{ csw_local_cents_to_usd(
                'currency_months.local_mrr_cents', 'fx_rates.usd_per_unit_e8'
            ) }}
        ) as base_restated_cents

    from currency_months
    inner join fx_rates
        on
            currency_months.currency = fx_rates.currency
            and cast({{ dbt.dateadd('month', 12, 'currency_months.month_start_date') }} as date)
            = fx_rates.month_start_date
    inner join customer_months as base_customer_months
        on
            currency_months.customer_id = base_customer_months.customer_id
            and currency_months.month_start_date = base_customer_months.month_start_date
            and base_customer_months.mrr_usd_cents > 0
    group by
        currency_months.customer_id,
        currency_months.month_start_date

),

twelve_month_retention as (

    select
        base_restated.month_start_date,
        sum(base_restated.base_restated_cents) as base_restated_cents,
        sum(coalesce(customer_months.mrr_usd_cents, 0)) as retained_mrr_cents,
        sum({{ csw_grr_capped(
            'coalesce(customer_months.mrr_usd_cents, 0)', 'base_restated.base_restated_cents'
        ) }}) as capped_retained_mrr_cents

    from base_restated
    left join customer_months
        on
            base_restated.customer_id = customer_months.customer_id
            and base_restated.month_start_date = customer_months.month_start_date
    group by base_restated.month_start_date

),

joined as (

    select
        months.month_start_date,
        coalesce(monthly_customers.customers_start, 0) as customers_start,
        coalesce(monthly_customers.churned_customers, 0) as churned_customers,
        {# MRR(M-1) restated at M's rates = starting MRR + the FX adjustment. #}
        coalesce(bridge.starting_mrr_cents + bridge.fx_adjustment_cents, 0)
            as starting_restated_mrr_cents,
        coalesce(bridge.expansion_cents, 0) as expansion_cents,
        coalesce(bridge.contraction_cents, 0) as contraction_cents,
        coalesce(bridge.churn_cents, 0) as churn_cents,
        twelve_month_retention.base_restated_cents,
        twelve_month_retention.retained_mrr_cents,
        twelve_month_retention.capped_retained_mrr_cents

    from months
    left join monthly_customers
        on months.month_start_date = monthly_customers.month_start_date
    left join bridge
        on months.month_start_date = bridge.month_start_date
    left join twelve_month_retention
        on months.month_start_date = twelve_month_retention.month_start_date

),

final as (

    select
        month_start_date as month,  -- noqa: RF04
        cast(customers_start as integer) as customers_start,
        cast(churned_customers as integer) as churned_customers,
        {{ csw_ratio('churned_customers', 'customers_start') }} as logo_churn_rate,
        {{ csw_ratio('-(churn_cents + contraction_cents)', 'starting_restated_mrr_cents') }}
            as gross_mrr_churn_rate,
        {{ csw_ratio(
            'starting_restated_mrr_cents + expansion_cents + contraction_cents + churn_cents',
            'starting_restated_mrr_cents'
        ) }} as net_mrr_retention,
        {{ csw_ratio('retained_mrr_cents', 'base_restated_cents') }} as nrr_12m,
        {{ csw_ratio('capped_retained_mrr_cents', 'base_restated_cents') }} as grr_12m

    from joined

)

select * from final
