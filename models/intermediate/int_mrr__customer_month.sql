with

product_months as (

    select
        customer_id,
        month_start_date,
        mrr_usd_cents,
        prev_mrr_usd_cents,
        prev_restated_usd_cents

    from {{ ref('int_mrr__customer_product_month') }}

),

customers as (

    select
        customer_id,
        employee_count

    from {{ ref('int_customers') }}

),

segment_thresholds as (

    select
        segment,
        {{ csw_scaled_int('min_mrr_usd', 2) }} as min_mrr_cents,
        min_employee_count,
        rank as segment_rank

    from {{ ref('segment_thresholds') }}

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

segment_ranks as (

    select
        customer_months.customer_id,
        customer_months.month_start_date,
        min(
            case
                when
                    customer_months.mrr_usd_cents >= segment_thresholds.min_mrr_cents
                    or customers.employee_count >= segment_thresholds.min_employee_count
                    then segment_thresholds.segment_rank
            end
        ) as segment_rank,
        min(
            case
                when
                    customer_months.prev_mrr_usd_cents >= segment_thresholds.min_mrr_cents
                    or customers.employee_count >= segment_thresholds.min_employee_count
                    then segment_thresholds.segment_rank
            end
        ) as prev_segment_rank

    from customer_months
    left join customers
        on customer_months.customer_id = customers.customer_id
    cross join segment_thresholds
    group by
        customer_months.customer_id,
        customer_months.month_start_date

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
        current_segment.segment as mrr_segment,
        prev_segment.segment as prev_month_segment

    from customer_months
    inner join segment_ranks
        on
            customer_months.customer_id = segment_ranks.customer_id
            and customer_months.month_start_date = segment_ranks.month_start_date
    left join segment_thresholds as current_segment
        on segment_ranks.segment_rank = current_segment.segment_rank
    left join segment_thresholds as prev_segment
        on segment_ranks.prev_segment_rank = prev_segment.segment_rank

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
        case when flagged.has_mrr then flagged.mrr_segment end as segment,
        case
            when flagged.has_mrr then flagged.mrr_segment
            else flagged.prev_month_segment
        end as bridge_segment,
        case
            when flagged.had_mrr_prev_month then flagged.prev_month_segment
        end as prev_month_segment,
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
