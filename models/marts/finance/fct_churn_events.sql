-- One row per customer x churn month (design.md "Churn events"): churn date, voluntary or
-- involuntary, reason, churned MRR, tenure and win-back.

with

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

),

movements as (

    select * from {{ ref('int_mrr__movements') }}
    where movement_type = 'churn'

),

segments as (

    select * from {{ ref('int_charge_segments') }}
    where is_counted

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

churn_months as (

    select
        customer_id,
        month_start_date as churn_month,
        cast({{ dbt.dateadd('month', -1, 'month_start_date') }} as date) as last_paid_month,
        bridge_segment,
        churned_tenure_months

    from customer_months
    where is_churn

),

churned_amounts as (

    select
        customer_id,
        month_start_date as churn_month,
        -sum(mrr_change_cents) as churned_mrr_cents

    from movements
    group by
        customer_id,
        month_start_date

),

{# Segments that counted in M-1 and end in M (their last counted month is M-1). #}
churn_dates as (

    select
        churn_months.customer_id,
        churn_months.churn_month,
        max(segments.service_end_date) as churn_date

    from churn_months
    inner join segments
        on
            churn_months.customer_id = segments.customer_id
            and churn_months.last_paid_month = segments.last_counted_month
    group by
        churn_months.customer_id,
        churn_months.churn_month

),

{# Per subscription: its segments counted in M-1, restated at M's rate. #}
subscription_local_amounts as (

    select
        churn_months.customer_id,
        churn_months.churn_month,
        segments.subscription_id,
        segments.currency,
        segments.cancel_reason,
        sum(segments.segment_mrr_cents) as local_mrr_cents

    from churn_months
    inner join segments
        on
            churn_months.customer_id = segments.customer_id
            and churn_months.last_paid_month >= segments.first_counted_month
            and churn_months.last_paid_month <= segments.last_counted_month
    group by
        churn_months.customer_id,
        churn_months.churn_month,
        segments.subscription_id,
        segments.currency,
        segments.cancel_reason

),

subscription_amounts as (

    select
        subscription_local_amounts.customer_id,
        subscription_local_amounts.churn_month,
        subscription_local_amounts.subscription_id,
        subscription_local_amounts.cancel_reason,
        {{ csw_local_cents_to_usd(
            'subscription_local_amounts.local_mrr_cents', 'fx_rates.usd_per_unit_e8'
        ) }} as restated_usd_cents

    from subscription_local_amounts
    inner join fx_rates
        on
            subscription_local_amounts.currency = fx_rates.currency
            and subscription_local_amounts.churn_month = fx_rates.month_start_date

),

ranked_subscriptions as (

    select
        customer_id,
        churn_month,
        subscription_id,
        cancel_reason,
        row_number() over (
            partition by customer_id, churn_month
            order by restated_usd_cents desc, subscription_id asc
        ) as churned_mrr_rank

    from subscription_amounts

),

top_subscriptions as (

    select
        customer_id,
        churn_month,
        cancel_reason

    from ranked_subscriptions
    where churned_mrr_rank = 1

),

win_backs as (

    select
        churn_months.customer_id,
        churn_months.churn_month,
        min(customer_months.month_start_date) as win_back_month

    from churn_months
    inner join customer_months
        on
            churn_months.customer_id = customer_months.customer_id
            and churn_months.churn_month < customer_months.month_start_date
            and customer_months.is_win_back
    group by
        churn_months.customer_id,
        churn_months.churn_month

),

final as (

    select
        churn_months.customer_id,
        churn_months.churn_month,
        churn_dates.churn_date,
        {{ csw_cents_to_decimal('churned_amounts.churned_mrr_cents') }} as churned_mrr_usd,
        case
            when top_subscriptions.cancel_reason = 'payment_failed' then 'involuntary'
            else 'voluntary'
        end as churn_type,
        top_subscriptions.cancel_reason as churn_reason,
        cast(churn_months.churned_tenure_months as integer) as tenure_months,
        win_backs.win_back_month is not null as is_won_back,
        cast(
            {{ dbt.datediff('churn_months.churn_month', 'win_backs.win_back_month', 'month') }}
            as integer
        ) as months_to_win_back,
        churn_months.bridge_segment as segment

    from churn_months
    left join churned_amounts
        on
            churn_months.customer_id = churned_amounts.customer_id
            and churn_months.churn_month = churned_amounts.churn_month
    left join churn_dates
        on
            churn_months.customer_id = churn_dates.customer_id
            and churn_months.churn_month = churn_dates.churn_month
    left join top_subscriptions
        on
            churn_months.customer_id = top_subscriptions.customer_id
            and churn_months.churn_month = top_subscriptions.churn_month
    left join win_backs
        on
            churn_months.customer_id = win_backs.customer_id
            and churn_months.churn_month = win_backs.churn_month

)

select * from final
