-- One row per customer (CRM account after merges, or an unmatched billing account): who it
-- is, its current segment, lifecycle stage, MRR, lifetime value and recent NPS. Every
-- figure is built upstream; this mart only joins them.

with

customers as (

    select * from {{ ref('int_customers') }}

),

current_segments as (

    select * from {{ ref('int_customers__current_segment') }}

),

lifecycle as (

    select * from {{ ref('int_customers__lifecycle') }}

),

ltv as (

    select * from {{ ref('int_customers__ltv') }}

),

customer_nps as (

    select * from {{ ref('int_customer_nps_180d') }}

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        current_segments.current_segment as segment,
        customers.csm_user_id,
        customers.is_crm_matched,
        lifecycle.first_paid_month,
        lifecycle.lifecycle_stage,
        {{ csw_cents_to_decimal('lifecycle.current_mrr_cents') }} as current_mrr_usd,
        {{ csw_cents_to_decimal('ltv.realized_ltv_cents') }} as realized_ltv_usd,
        -- the outer cast keeps decimal(18, 2) on Postgres (a CASE with an implicit NULL drops the scale)
        cast({{ csw_cents_to_decimal('ltv.predicted_ltv_cents') }} as decimal(18, 2))
            as predicted_ltv_usd,
        coalesce(customer_nps.nps_responses, 0) as nps_responses_180d,
        customer_nps.nps_180d,
        customers.country_code,
        customers.industry,
        customers.employee_count

    from customers
    left join current_segments
        on customers.customer_id = current_segments.customer_id
    left join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join ltv
        on customers.customer_id = ltv.customer_id
    left join customer_nps
        on customers.customer_id = customer_nps.customer_id

)

select * from final
