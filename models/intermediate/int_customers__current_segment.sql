-- Each customer's current segment (metrics.md "Customer"): its int_customer_months__segmented
-- row in the as-of month, one row per customer. The segment of dim_customers, the one whose
-- churn rate int_customers__ltv uses, and the segment of a month before the segment grid
-- starts (agg_nps_monthly, agg_csat_monthly, sem_customer_months).

with

customer_segments as (

    select * from {{ ref('int_customer_months__segmented') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

final as (

    select
        customer_segments.customer_id,
        customer_segments.current_segment

    from customer_segments
    inner join as_of
        on customer_segments.month_start_date = as_of.as_of_month

)

select * from final
