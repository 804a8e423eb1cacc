-- Each segment's average monthly logo churn rate over the trailing 12 months ending with the
-- as-of month (the segment a customer had at the end of M-1), in millionths rounded half away
-- from zero: the churn input of predicted LTV (metrics.md "Rates and retention", LTV).

with

as_of as (

    select * from {{ ref('int_as_of') }}

),

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

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

final as (

    select
        segment,
        {{ csw_div_round_half_up(
            'sum(' ~ csw_div_round_half_up('churned_customers * 1000000', 'customers_start') ~ ')',
            'count(*)'
        ) }} as avg_logo_churn_rate_e6

    from segment_monthly_churn
    group by segment

)

select * from final
