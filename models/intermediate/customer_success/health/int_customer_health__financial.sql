-- Health component "financial": MRR trend over 3 months and failed payments in the
-- 90 days ending on the snapshot date. Scoring curve (documented in the YAML):
--   trend ratio r = MRR(M) / MRR(M-3) when MRR(M-3) > 0, else no trend (treated as 1);
--   trend score = 100 when r >= 1, else max(0, 100 - 200 * (1 - r))  (-50% -> 0);
--   score = max(0, trend score - 25 * failed payment attempts in the window).
-- Billing is required, so this component is never missing.
-- Incremental (dbt_project.yml, folder health/): computes the customer months of
-- int_customer_health__snapshot_months (all in a full build, the changed customers' months from
-- the first changed month in a daily run).

with

customer_months as (

    select * from {{ ref('int_customer_health__snapshot_months') }}

),

payments as (

    select * from {{ ref('int_payments__attributed') }}

),

failed_payments as (

    select
        payment_id,
        customer_id,
        cast(attempted_at as date) as attempted_date
    from payments
    where outcome = 'failed'

),

failed_payments_in_window as (

    select
        customer_months.customer_id,
        customer_months.month,
        count(*) as failed_payments_90d
    from customer_months
    inner join failed_payments
        on
            customer_months.customer_id = failed_payments.customer_id
            and {{ csw_in_days_up_to(
                'failed_payments.attempted_date', 90, 'customer_months.snapshot_date'
            ) }}
    group by customer_months.customer_id, customer_months.month

),

joined as (

    select
        customer_months.customer_id,
        customer_months.month,
        customer_months.mrr_usd,
        customer_months.mrr_usd_3m_ago,
        -- MRR in integer cents: the trend is an exact rational mrr / mrr_3m_ago
        {{ csw_scaled_int('customer_months.mrr_usd', 2) }} as mrr_cents,
        {{ csw_scaled_int('customer_months.mrr_usd_3m_ago', 2) }} as mrr_3m_ago_cents,
        coalesce(failed_payments_in_window.failed_payments_90d, 0) as failed_payments_90d
    from customer_months
    left join failed_payments_in_window
        on
            customer_months.customer_id = failed_payments_in_window.customer_id
            and customer_months.month = failed_payments_in_window.month

),

trend_scores as (

    -- ratio r = mrr_cents / mrr_3m_ago_cents; trend score 100 when r >= 1 (or no base),
    -- 0 when r <= 0.5, else 100 - 200 * (1 - r) = (200 * mrr - 100 * base) / base; the
    -- financial score's numerator over the base subtracts 25 per failed payment.
    select
        *,
        coalesce(mrr_3m_ago_cents, 0) > 0 and mrr_cents is not null as has_trend,
        200 * mrr_cents - 100 * mrr_3m_ago_cents
        - 25 * failed_payments_90d * mrr_3m_ago_cents as scored_numerator
    from joined

),

final as (

    -- Exact rationals rounded half away from zero by integer arithmetic (csw_ratio),
    -- the same on every engine.
    select
        customer_id,
        month,
        mrr_usd,
        mrr_usd_3m_ago,
        cast(
            case
                when has_trend
                    then {{ csw_ratio(
                        '100 * (mrr_cents - mrr_3m_ago_cents)', 'mrr_3m_ago_cents', 1
                    ) }}
            end
            as decimal(9, 1)
        ) as mrr_change_pct_3m,
        cast(failed_payments_90d as integer) as failed_payments_90d,
        cast(
            case
                when not has_trend or mrr_cents >= mrr_3m_ago_cents
                    then
                        case
                            when failed_payments_90d >= 4 then 0
                            else 100 - 25 * failed_payments_90d
                        end
                when 2 * mrr_cents <= mrr_3m_ago_cents then 0
                when scored_numerator < 0 then 0
                else {{ csw_ratio('scored_numerator', 'mrr_3m_ago_cents', 1) }}
            end
            as decimal(4, 1)
        ) as financial_score,
        {{ csw_incremental_stamp() }}
    from trend_scores

)

select * from final
