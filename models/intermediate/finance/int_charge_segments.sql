-- Recurring, non-trial charge segments (grain: charge) with their MRR in local cents and the
-- months they count in (design.md "Money and rounding"): the one place a charge becomes MRR.

with

charges as (

    select * from {{ ref('stg_billing__subscription_charges') }}

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

billing_accounts as (

    select * from {{ ref('int_billing_accounts__mapped_to_customers') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

recurring_charges as (

    select
        charges.*,
        case charges.billing_period
            when 'month' then 1
            when 'quarter' then 3
            when 'year' then 12
        end as billing_period_months,
        {{ csw_scaled_int('charges.unit_price', 4) }} as unit_price_e4,
        {{ csw_scaled_int('charges.discount_percent', 2) }} as discount_bp

    from charges
    where
        charges.charge_type = 'recurring'
        and not charges.is_trial

),

attributed as (

    select
        recurring_charges.charge_id,
        recurring_charges.subscription_id,
        subscriptions.billing_account_id,
        billing_accounts.customer_id,
        recurring_charges.product_id,
        billing_accounts.currency,
        recurring_charges.billing_period,
        recurring_charges.billing_period_months,
        recurring_charges.unit_price,
        recurring_charges.quantity,
        recurring_charges.discount_percent,
        {{ csw_div_round_half_up(
            'cast(recurring_charges.unit_price_e4 as decimal(38, 0)) * recurring_charges.quantity'
            ~ ' * (10000 - recurring_charges.discount_bp)',
            '1000000 * recurring_charges.billing_period_months'
        ) }} as segment_mrr_cents,
        recurring_charges.effective_from_date,
        recurring_charges.effective_to_date,
        subscriptions.canceled_date,
        {{ csw_earlier_end_date(
            'recurring_charges.effective_to_date', 'subscriptions.canceled_date'
        ) }} as service_end_date,
        subscriptions.cancel_reason

    from recurring_charges
    {{ csw_join_charge_customer('recurring_charges') }}

),

counted_months as (

    select
        attributed.*,
        cast({{ dbt.date_trunc('month', 'attributed.effective_from_date') }} as date)
            as first_counted_month,
        case
            when attributed.service_end_date is null then as_of.as_of_month
            when
                cast({{ dbt.dateadd(
                    'month', -1, dbt.date_trunc('month', 'attributed.service_end_date')
                ) }} as date) < as_of.as_of_month
                then cast({{ dbt.dateadd(
                    'month', -1, dbt.date_trunc('month', 'attributed.service_end_date')
                ) }} as date)
            else as_of.as_of_month
        end as last_counted_month

    from attributed
    cross join as_of

),

final as (

    select
        charge_id,
        subscription_id,
        billing_account_id,
        customer_id,
        product_id,
        currency,
        billing_period,
        billing_period_months,
        unit_price,
        quantity,
        discount_percent,
        segment_mrr_cents,
        effective_from_date,
        effective_to_date,
        canceled_date,
        service_end_date,
        cancel_reason,
        first_counted_month,
        last_counted_month,
        first_counted_month <= last_counted_month as is_counted

    from counted_months

)

select * from final
