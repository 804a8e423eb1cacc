-- Where each customer is in its life as of the as-of date (metrics.md "Customer"): its
-- current MRR, first paid month and date, the start of its latest win-back, whether it has
-- an active trial, and its lifecycle stage (prospect, trial, onboarding, active, won_back,
-- churned). Read by dim_customers and int_customers__ltv.

with

customers as (

    select * from {{ ref('int_customers') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

),

segments as (

    select * from {{ ref('int_charge_segments') }}
    where
        is_counted
        and segment_mrr_cents > 0

),

charges as (

    select * from {{ ref('stg_billing__subscription_charges') }}

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

billing_accounts as (

    select * from {{ ref('int_billing_accounts__mapped_to_customers') }}

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
    {{ csw_join_charge_customer('charges') }}
    cross join as_of
    where
        charges.is_trial
        and charges.effective_from_date <= as_of.as_of_date
        and (charges.effective_to_date is null or charges.effective_to_date > as_of.as_of_date)
        and (subscriptions.canceled_date is null or subscriptions.canceled_date > as_of.as_of_date)

),

customer_facts as (

    select
        customers.customer_id,
        coalesce(current_mrr.current_mrr_cents, 0) as current_mrr_cents,
        paid_starts.first_paid_month,
        paid_starts.first_paid_date,
        paid_starts.last_win_back_date,
        active_trials.customer_id is not null as has_active_trial

    from customers
    left join current_mrr
        on customers.customer_id = current_mrr.customer_id
    left join paid_starts
        on customers.customer_id = paid_starts.customer_id
    left join active_trials
        on customers.customer_id = active_trials.customer_id

),

final as (

    select
        customer_facts.customer_id,
        customer_facts.current_mrr_cents,
        customer_facts.first_paid_month,
        customer_facts.first_paid_date,
        customer_facts.last_win_back_date,
        customer_facts.has_active_trial,
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

)

select * from final
