{%- set gross_margin_e4 = (var('gross_margin') | float * 10000) | round | int -%}

with

customers as (

    select
        customer_id,
        customer_name,
        csm_user_id,
        is_crm_matched,
        country_code,
        industry,
        employee_count

    from {{ ref('int_customers') }}

),

as_of as (

    select
        as_of_date,
        as_of_month

    from {{ ref('int_as_of') }}

),

customer_months as (

    select
        customer_id,
        month_start_date,
        mrr_usd_cents,
        is_churn,
        is_win_back,
        had_mrr_prev_month,
        prev_month_segment

    from {{ ref('int_mrr__customer_month') }}

),

segments as (

    select
        customer_id,
        segment_mrr_cents,
        effective_from_date,
        first_counted_month

    from {{ ref('int_charge_segments') }}
    where
        is_counted
        and segment_mrr_cents > 0

),

charges as (

    select
        subscription_id,
        effective_from_date,
        effective_to_date,
        is_trial

    from {{ ref('stg_billing__subscription_charges') }}

),

subscriptions as (

    select
        subscription_id,
        billing_account_id,
        canceled_date

    from {{ ref('stg_billing__subscriptions') }}

),

billing_accounts as (

    select
        billing_account_id,
        customer_id,
        currency

    from {{ ref('int_billing_accounts__mapped_to_customers') }}

),

invoices as (

    select
        invoice_id,
        billing_account_id,
        issued_date,
        subtotal

    from {{ ref('stg_billing__invoices') }}
    where status = 'paid'

),

exchange_rates as (

    select
        currency,
        rate_date,
        usd_per_unit

    from {{ ref('stg_billing__exchange_rates') }}
    where currency <> 'USD'

),

customer_nps as (

    select
        customer_id,
        nps_responses,
        nps_180d

    from {{ ref('int_customer_nps_180d') }}

),

segment_thresholds as (

    select
        segment,
        {{ csw_scaled_int('min_mrr_usd', 2) }} as min_mrr_cents,
        min_employee_count,
        rank as segment_rank

    from {{ ref('segment_thresholds') }}

),

current_mrr as (

    select
        customer_months.customer_id,
        customer_months.mrr_usd_cents as current_mrr_cents

    from customer_months
    inner join as_of
        on customer_months.month_start_date = as_of.as_of_month

),

paid_history as (

    select
        customer_id,
        min(case when mrr_usd_cents > 0 then month_start_date end) as first_paid_month,
        max(case when is_win_back then month_start_date end) as last_win_back_month

    from customer_months
    group by customer_id

),

paid_starts as (

    select
        paid_history.customer_id,
        paid_history.first_paid_month,
        paid_history.last_win_back_month,
        min(
            case
                when segments.first_counted_month = paid_history.first_paid_month
                    then segments.effective_from_date
            end
        ) as first_paid_date,
        min(
            case
                when segments.first_counted_month = paid_history.last_win_back_month
                    then segments.effective_from_date
            end
        ) as last_win_back_date

    from paid_history
    left join segments
        on paid_history.customer_id = segments.customer_id
    group by
        paid_history.customer_id,
        paid_history.first_paid_month,
        paid_history.last_win_back_month

),

active_trials as (

    select distinct billing_accounts.customer_id

    from charges
    inner join subscriptions
        on charges.subscription_id = subscriptions.subscription_id
    inner join billing_accounts
        on subscriptions.billing_account_id = billing_accounts.billing_account_id
    cross join as_of
    where
        charges.is_trial
        and charges.effective_from_date <= as_of.as_of_date
        and (charges.effective_to_date is null or charges.effective_to_date > as_of.as_of_date)
        and (subscriptions.canceled_date is null or subscriptions.canceled_date > as_of.as_of_date)

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

{# One rate per currency and issue date (not per invoice: far fewer pairs). #}
issue_date_rate_candidates as (

    select
        issue_dates.currency,
        issue_dates.issued_date,
        exchange_rates.usd_per_unit,
        row_number() over (
            partition by issue_dates.currency, issue_dates.issued_date
            order by
                case when exchange_rates.rate_date <= issue_dates.issued_date then 0 else 1 end,
                case
                    when exchange_rates.rate_date <= issue_dates.issued_date
                        then exchange_rates.rate_date
                end desc,
                exchange_rates.rate_date asc
        ) as rate_preference

    from issue_dates
    left join exchange_rates
        on issue_dates.currency = exchange_rates.currency

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
    left join issue_date_rate_candidates as issue_date_rates
        on
            invoice_currencies.currency = issue_date_rates.currency
            and invoice_currencies.issued_date = issue_date_rates.issued_date
            and issue_date_rates.rate_preference = 1

),

invoice_usd as (

    select
        customer_id,
        {{ csw_div_round_half_up(
            'cast(' ~ csw_scaled_int('subtotal', 2) ~ ' as decimal(38, 0)) * usd_per_unit_e8',
            '100000000'
        ) }} as subtotal_usd_cents

    from invoice_rates

),

realized_ltv as (

    select
        customer_id,
        sum(subtotal_usd_cents) as realized_ltv_cents

    from invoice_usd
    group by customer_id

),

{# Monthly logo churn rate per segment (the segment at the end of M-1) over
    the trailing 12 months ending with the as-of month. #}
segment_monthly_churn as (

    select
        customer_months.prev_month_segment as segment,
        customer_months.month_start_date,
        sum(case when customer_months.is_churn then 1 else 0 end) as churned_customers,
        count(*) as customers_start

    from customer_months
    cross join as_of
    where
        customer_months.had_mrr_prev_month
        and customer_months.month_start_date <= as_of.as_of_month
        and customer_months.month_start_date
        > cast({{ dbt.dateadd('month', -12, 'as_of.as_of_month') }} as date)
    group by
        customer_months.prev_month_segment,
        customer_months.month_start_date

),

segment_churn_rates as (

    select
        segment,
        {{ csw_div_round_half_up(
            'sum(' ~ csw_div_round_half_up('churned_customers * 1000000', 'customers_start') ~ ')',
            'count(*)'
        ) }} as avg_logo_churn_rate_e6

    from segment_monthly_churn
    group by segment

),

customer_facts as (

    select
        customers.*,
        coalesce(current_mrr.current_mrr_cents, 0) as current_mrr_cents,
        paid_starts.first_paid_month,
        paid_starts.first_paid_date,
        paid_starts.last_win_back_date,
        active_trials.customer_id is not null as has_active_trial,
        coalesce(realized_ltv.realized_ltv_cents, 0) as realized_ltv_cents

    from customers
    left join current_mrr
        on customers.customer_id = current_mrr.customer_id
    left join paid_starts
        on customers.customer_id = paid_starts.customer_id
    left join active_trials
        on customers.customer_id = active_trials.customer_id
    left join realized_ltv
        on customers.customer_id = realized_ltv.customer_id

),

segment_ranks as (

    select
        customer_facts.customer_id,
        min(segment_thresholds.segment_rank) as segment_rank

    from customer_facts
    inner join segment_thresholds
        on
            customer_facts.current_mrr_cents >= segment_thresholds.min_mrr_cents
            or customer_facts.employee_count >= segment_thresholds.min_employee_count
    group by customer_facts.customer_id

),

classified as (

    select
        customer_facts.*,
        segment_thresholds.segment,
        case
            when
                customer_facts.current_mrr_cents > 0
                and customer_facts.last_win_back_date is not null
                and as_of.as_of_date
                < cast({{ dbt.dateadd('day', 90, 'customer_facts.last_win_back_date') }} as date)
                then 'won_back'
            when
                customer_facts.current_mrr_cents > 0
                and as_of.as_of_date
                < cast({{ dbt.dateadd('day', 90, 'customer_facts.first_paid_date') }} as date)
                then 'onboarding'
            when customer_facts.current_mrr_cents > 0 then 'active'
            when customer_facts.first_paid_month is not null then 'churned'
            when customer_facts.has_active_trial then 'trial'
            else 'prospect'
        end as lifecycle_stage

    from customer_facts
    cross join as_of
    left join segment_ranks
        on customer_facts.customer_id = segment_ranks.customer_id
    left join segment_thresholds
        on segment_ranks.segment_rank = segment_thresholds.segment_rank

),

final as (

    select
        classified.customer_id,
        classified.customer_name,
        classified.segment,
        classified.csm_user_id,
        classified.is_crm_matched,
        classified.first_paid_month,
        classified.lifecycle_stage,
        {{ csw_cents_to_decimal('classified.current_mrr_cents') }} as current_mrr_usd,
        {{ csw_cents_to_decimal('classified.realized_ltv_cents') }} as realized_ltv_usd,
        -- the outer cast keeps decimal(18, 2) on Postgres (a CASE with an implicit NULL drops the scale)
        cast(case
            when classified.current_mrr_cents > 0 and segment_churn_rates.avg_logo_churn_rate_e6 > 0
                then {{ csw_cents_to_decimal(csw_div_round_half_up(
                    'cast(classified.current_mrr_cents as decimal(38, 0)) * ' ~ gross_margin_e4 ~ ' * 100',
                    'segment_churn_rates.avg_logo_churn_rate_e6'
                )) }}
        end as decimal(18, 2)) as predicted_ltv_usd,
        coalesce(customer_nps.nps_responses, 0) as nps_responses_180d,
        customer_nps.nps_180d,
        classified.country_code,
        classified.industry,
        classified.employee_count

    from classified
    left join segment_churn_rates
        on classified.segment = segment_churn_rates.segment
    left join customer_nps
        on classified.customer_id = customer_nps.customer_id

)

select * from final
