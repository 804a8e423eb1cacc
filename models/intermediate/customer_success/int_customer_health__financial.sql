-- Health component "financial": MRR trend over 3 months and failed payments in the
-- 90 days ending on the snapshot date. Scoring curve (documented in the YAML):
--   trend ratio r = MRR(M) / MRR(M-3) when MRR(M-3) > 0, else no trend (treated as 1);
--   trend score = 100 when r >= 1, else max(0, 100 - 200 * (1 - r))  (-50% -> 0);
--   score = max(0, trend score - 25 * failed payment attempts in the window).
-- Billing is required, so this component is never missing.

with

customer_months as (

    select * from {{ ref('int_customer_months__cs_snapshot') }}

),

payments as (

    select * from {{ ref('stg_billing__payments') }}

),

invoices as (

    select * from {{ ref('stg_billing__invoices') }}

),

billing_account_customers as (

    select * from {{ ref('int_billing_accounts__mapped_to_customers') }}

),

failed_payments as (

    select
        payments.payment_id,
        billing_account_customers.customer_id,
        cast(payments.attempted_at as date) as attempted_date
    from payments
    inner join invoices
        on payments.invoice_id = invoices.invoice_id
    inner join billing_account_customers
        on invoices.billing_account_id = billing_account_customers.billing_account_id
    where payments.outcome = 'failed'

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
            and customer_months.snapshot_date >= failed_payments.attempted_date
            and failed_payments.attempted_date
            > {{ dbt.dateadd('day', -90, 'customer_months.snapshot_date') }}
    group by customer_months.customer_id, customer_months.month

),

joined as (

    select
        customer_months.customer_id,
        customer_months.month,
        customer_months.mrr_usd,
        customer_months.mrr_usd_3m_ago,
        case
            when customer_months.mrr_usd_3m_ago > 0
                then {{ csw_cs_float_div(
                    'cast(customer_months.mrr_usd as ' ~ dbt.type_float() ~ ')',
                    'cast(customer_months.mrr_usd_3m_ago as ' ~ dbt.type_float() ~ ')',
                    'float'
                ) }}
        end as mrr_trend_ratio,
        coalesce(failed_payments_in_window.failed_payments_90d, 0) as failed_payments_90d
    from customer_months
    left join failed_payments_in_window
        on
            customer_months.customer_id = failed_payments_in_window.customer_id
            and customer_months.month = failed_payments_in_window.month

),

trend_scores as (

    select
        *,
        case
            -- float literals: DuckDB computes this in FLOAT; Spark would widen it to DOUBLE
            when mrr_trend_ratio is null or mrr_trend_ratio >= 1
                then cast(100.0 as {{ dbt.type_float() }})
            when mrr_trend_ratio <= 0.5 then cast(0.0 as {{ dbt.type_float() }})
            else
                cast(100.0 as {{ dbt.type_float() }})
                - cast(200.0 as {{ dbt.type_float() }}) * (1 - mrr_trend_ratio)
        end as trend_score
    from joined

),

final as (

    select
        customer_id,
        month,
        mrr_usd,
        mrr_usd_3m_ago,
        cast(
            case
                when mrr_trend_ratio is not null
                    then {{ csw_cs_round('100 * (mrr_trend_ratio - 1)', 1) }}
            end
            as decimal(9, 1)
        ) as mrr_change_pct_3m,
        cast(failed_payments_90d as integer) as failed_payments_90d,
        cast(
            case
                when trend_score - 25 * failed_payments_90d < 0 then 0
                else {{ csw_cs_round('trend_score - 25 * failed_payments_90d', 1) }}
            end
            as decimal(4, 1)
        ) as financial_score
    from trend_scores

)

select * from final
