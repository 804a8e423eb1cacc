-- Trials and whether they converted (metrics.md "Trials"): the earliest trial charge of each
-- customer and product line, when it ended (its service end: the first day without the
-- trial, like churn_date) and whether the customer had MRR on that line at the end of the
-- month the trial ended or of the month after. Trials are never MRR.

with

charges as (

    select * from {{ ref('stg_billing__subscription_charges') }}
    where is_trial

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

billing_accounts as (

    select * from {{ ref('int_billing_accounts__mapped_to_customers') }}

),

products as (

    select * from {{ ref('stg_billing__products') }}

),

product_months as (

    select * from {{ ref('int_mrr__customer_product_month') }}
    where mrr_usd_cents > 0

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

trial_charges as (

    select
        billing_accounts.customer_id,
        coalesce(products.product_line, charges.product_id) as product_line,
        charges.charge_id,
        charges.effective_from_date as trial_start_date,
        {{ csw_earlier_end_date('charges.effective_to_date', 'subscriptions.canceled_date') }}
            as trial_end_date,
        row_number() over (
            partition by
                billing_accounts.customer_id,
                coalesce(products.product_line, charges.product_id)
            order by charges.effective_from_date, charges.charge_id
        ) as trial_number

    from charges
    {{ csw_join_charge_customer('charges') }}
    left join products
        on charges.product_id = products.product_id

),

first_trials as (

    select
        trial_charges.customer_id,
        trial_charges.product_line,
        trial_charges.charge_id,
        trial_charges.trial_start_date,
        trial_charges.trial_end_date,
        cast({{ dbt.date_trunc('month', 'trial_charges.trial_end_date') }} as date)
            as trial_end_month,
        coalesce(trial_charges.trial_end_date <= as_of.as_of_date, false) as is_ended,
        as_of.as_of_month

    from trial_charges
    cross join as_of
    where trial_charges.trial_number = 1

),

line_months as (

    select distinct
        product_months.customer_id,
        coalesce(products.product_line, product_months.product_id) as product_line,
        product_months.month_start_date

    from product_months
    left join products
        on product_months.product_id = products.product_id

),

conversions as (

    select
        first_trials.customer_id,
        first_trials.product_line,
        min(line_months.month_start_date) as converted_month

    from first_trials
    inner join line_months
        on
            first_trials.customer_id = line_months.customer_id
            and first_trials.product_line = line_months.product_line
            and first_trials.trial_end_month <= line_months.month_start_date
            and cast({{ dbt.dateadd('month', 1, 'first_trials.trial_end_month') }} as date)
            >= line_months.month_start_date
    group by
        first_trials.customer_id,
        first_trials.product_line

),

final as (

    select
        first_trials.customer_id,
        first_trials.product_line,
        first_trials.charge_id as trial_charge_id,
        first_trials.trial_start_date,
        first_trials.trial_end_date,
        first_trials.trial_end_month,
        first_trials.is_ended,
        first_trials.is_ended and conversions.converted_month is not null as is_converted,
        conversions.converted_month,
        {# The month after the trial-end month is inside the data: the outcome is final. #}
        coalesce(
            cast({{ dbt.dateadd('month', 1, 'first_trials.trial_end_month') }} as date)
            <= first_trials.as_of_month,
            false
        ) as is_outcome_final

    from first_trials
    left join conversions
        on
            first_trials.customer_id = conversions.customer_id
            and first_trials.product_line = conversions.product_line

)

select * from final
