-- Customer x month (months with MRR in M or M-1): USD MRR, flags and segments; the customer
-- grain that fct_mrr, the bridge, churn events and retention read.

with

product_months as (

    select * from {{ ref('int_mrr__customer_product_month') }}

),

segments as (

    select * from {{ ref('int_customer_months__segmented') }}

),

customer_months as (

    select
        customer_id,
        month_start_date,
        cast(sum(mrr_usd_cents) as bigint) as mrr_usd_cents,
        cast(sum(prev_mrr_usd_cents) as bigint) as prev_mrr_usd_cents,
        cast(sum(prev_restated_usd_cents) as bigint) as prev_restated_usd_cents

    from product_months
    group by
        customer_id,
        month_start_date

),

flagged as (

    select
        customer_months.customer_id,
        customer_months.month_start_date,
        customer_months.mrr_usd_cents,
        customer_months.prev_mrr_usd_cents,
        customer_months.prev_restated_usd_cents,
        customer_months.mrr_usd_cents > 0 as has_mrr,
        customer_months.prev_mrr_usd_cents > 0 as had_mrr_prev_month,
        coalesce(
            sum(case when customer_months.mrr_usd_cents > 0 then 1 else 0 end) over (
                partition by customer_months.customer_id
                order by customer_months.month_start_date
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) > 0 as had_mrr_before,
        segments.segment,
        segments.bridge_segment,
        segments.prev_month_segment

    from customer_months
    left join segments
        on
            customer_months.customer_id = segments.customer_id
            and customer_months.month_start_date = segments.month_start_date

),

{# Gaps and islands over the months with MRR: months in one unbroken run
    share month_number - row_number. #}
paid_runs as (

    select
        customer_id,
        month_start_date,
        {{ dbt.datediff("cast('1900-01-01' as date)", 'month_start_date', 'month') }}
        - row_number() over (partition by customer_id order by month_start_date) as paid_run_key

    from flagged
    where has_mrr

),

paid_run_positions as (

    select
        customer_id,
        month_start_date,
        row_number() over (
            partition by customer_id, paid_run_key order by month_start_date
        ) as paid_run_month_number

    from paid_runs

),

final as (

    select
        flagged.customer_id,
        flagged.month_start_date,
        flagged.mrr_usd_cents,
        flagged.prev_mrr_usd_cents,
        flagged.prev_restated_usd_cents,
        flagged.has_mrr,
        flagged.had_mrr_prev_month,
        flagged.had_mrr_before,
        (
            flagged.has_mrr and not flagged.had_mrr_prev_month and not flagged.had_mrr_before
        ) as is_new,
        (
            flagged.has_mrr and not flagged.had_mrr_prev_month and flagged.had_mrr_before
        ) as is_win_back,
        flagged.had_mrr_prev_month and not flagged.has_mrr as is_churn,
        flagged.segment,
        flagged.bridge_segment,
        flagged.prev_month_segment,
        paid_run_positions.paid_run_month_number,
        case
            when flagged.had_mrr_prev_month and not flagged.has_mrr
                then lag(paid_run_positions.paid_run_month_number) over (
                    partition by flagged.customer_id order by flagged.month_start_date
                )
        end as churned_tenure_months

    from flagged
    left join paid_run_positions
        on
            flagged.customer_id = paid_run_positions.customer_id
            and flagged.month_start_date = paid_run_positions.month_start_date

)

select * from final
