-- Lifetime value per customer (metrics.md "Rates and retention", LTV), for dim_customers:
-- realized = paid invoice subtotals less credit notes, each at the rate of its issue date;
-- predicted = current MRR x gross margin (dbt var) / the trailing-12-month monthly logo churn
-- rate of the customer's current segment (NULL when that rate is 0 or the customer has no MRR).

{%- set gross_margin_e4 = (var('gross_margin') | float * 10000) | round | int %}

with

customers as (

    select * from {{ ref('int_customers') }}

),

lifecycle as (

    select * from {{ ref('int_customers__lifecycle') }}

),

current_segments as (

    select * from {{ ref('int_customers__current_segment') }}

),

segment_churn_rates as (

    select * from {{ ref('int_segments__trailing_logo_churn') }}

),

billing_accounts as (

    select * from {{ ref('int_billing_accounts__mapped_to_customers') }}

),

invoices as (

    select * from {{ ref('stg_billing__invoices') }}
    where status = 'paid'

),

exchange_rates as (

    select * from {{ ref('stg_billing__exchange_rates') }}
    where currency <> 'USD'

),

{# Realized LTV: each paid invoice (credit notes have a negative subtotal)
    at the rate of the latest rate_date <= issued_date; an invoice issued
    before its currency's first rate uses that first rate. #}
invoice_currencies as (

    select
        invoices.invoice_id,
        billing_accounts.customer_id,
        billing_accounts.currency,
        invoices.issued_date,
        invoices.subtotal

    from invoices
    inner join billing_accounts
        on invoices.billing_account_id = billing_accounts.billing_account_id

),

issue_dates as (

    select distinct
        currency,
        issued_date

    from invoice_currencies
    where currency <> 'USD'

),

{# One rate per currency and issue date (not per invoice: far fewer pairs): the latest
    rate on or before the issue date (csw_latest_rate_dates), else the currency's first. #}
latest_rate_dates as (

    {{ csw_latest_rate_dates('exchange_rates', 'issue_dates', 'issued_date') }}

),

first_rate_dates as (

    select
        currency,
        min(rate_date) as first_rate_date
    from exchange_rates
    group by currency

),

issue_date_rates as (

    select
        latest_rate_dates.currency,
        latest_rate_dates.issued_date,
        exchange_rates.usd_per_unit

    from latest_rate_dates
    left join first_rate_dates
        on latest_rate_dates.currency = first_rate_dates.currency
    left join exchange_rates
        on
            latest_rate_dates.currency = exchange_rates.currency
            and coalesce(latest_rate_dates.latest_rate_date, first_rate_dates.first_rate_date)
            = exchange_rates.rate_date

),

invoice_rates as (

    select
        invoice_currencies.customer_id,
        invoice_currencies.subtotal,
        case
            when invoice_currencies.currency = 'USD' then 100000000
            when issue_date_rates.usd_per_unit is null
                then {{ csw_raise_error(
                    "'missing FX rate for currency ' || invoice_currencies.currency"
                    ~ " || ' (paid invoice ' || invoice_currencies.invoice_id || ')'"
                ) }}
            else {{ csw_scaled_int('issue_date_rates.usd_per_unit', 8) }}
        end as usd_per_unit_e8

    from invoice_currencies
    left join issue_date_rates
        on
            invoice_currencies.currency = issue_date_rates.currency
            and invoice_currencies.issued_date = issue_date_rates.issued_date

),

invoice_usd as (

    select
        customer_id,
        {{ csw_local_cents_to_usd(csw_scaled_int('subtotal', 2), 'usd_per_unit_e8') }}
            as subtotal_usd_cents

    from invoice_rates

),

realized_ltv as (

    select
        customer_id,
        sum(subtotal_usd_cents) as realized_ltv_cents

    from invoice_usd
    group by customer_id

),

final as (

    select
        customers.customer_id,
        coalesce(realized_ltv.realized_ltv_cents, 0) as realized_ltv_cents,
        case
            when lifecycle.current_mrr_cents > 0 and segment_churn_rates.avg_logo_churn_rate_e6 > 0
                then {{ csw_div_round_half_up(
                    'cast(lifecycle.current_mrr_cents as decimal(38, 0)) * ' ~ gross_margin_e4 ~ ' * 100',
                    'segment_churn_rates.avg_logo_churn_rate_e6'
                ) }}
        end as predicted_ltv_cents

    from customers
    left join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join current_segments
        on customers.customer_id = current_segments.customer_id
    left join segment_churn_rates
        on current_segments.current_segment = segment_churn_rates.segment
    left join realized_ltv
        on customers.customer_id = realized_ltv.customer_id

)

select * from final
