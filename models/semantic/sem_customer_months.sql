{#-
    Conformed customer x month dimension of the semantic layer: one row per
    customer and month that any fact of the semantic layer refers to, with
    the two segment rules of int_customer_months__segmented (their one
    owner; months outside its grid take the current segment):
    - segment: the bridge segment - the customer's segment in M when it has
      MRR in M, else its segment in M-1 (so churn lands in the segment it
      churned from), else its current segment (dim_customers);
    - cs_segment: the customer-success segment - its segment in M when it
      has MRR in M, else its current segment (int_customer_months__segmented's
      customer_success_segment; the short name is the published dimension
      customer_month__cs_segment, a value of agg_metrics_monthly.segment_dimension).
    customer_month = customer_id || '|' || month (YYYY-MM-DD), the key every
    semantic model joins on.
-#}
with

segments as (

    select * from {{ ref('int_customer_months__segmented') }}

),

as_of_segments as (

    select
        segments.customer_id,
        segments.current_segment
    from segments
    inner join {{ ref('int_as_of') }} as as_of
        on segments.month_start_date = as_of.as_of_month

),

referenced_months as (

    select
        customer_id,
        month as month_start_date
    from {{ ref('fct_mrr') }}
    union
    select
        customer_id,
        month as month_start_date
    from {{ ref('fct_mrr_movements') }}
    union
    select
        customer_id,
        month as month_start_date
    from {{ ref('fct_mrr_customer_changes') }}
    union
    select
        customer_id,
        churn_month as month_start_date
    from {{ ref('fct_churn_events') }}
    union
    select
        customer_id,
        month as month_start_date
    from {{ ref('fct_customer_health') }}
    union
    select
        customer_id,
        submitted_month as month_start_date
    from {{ ref('fct_nps_responses') }}
    where customer_id is not null
    union
    select
        customer_id,
        cast(date_trunc('month', created_at) as date) as month_start_date
    from {{ ref('fct_support_tickets') }}
    where customer_id is not null
    union
    select
        customer_id,
        cast(date_trunc('month', csat_rated_at) as date) as month_start_date
    from {{ ref('fct_support_tickets') }}
    where customer_id is not null and csat_rated_at is not null

)

select
    referenced_months.customer_id
    || '|'
    || {{ dbt.cast('referenced_months.month_start_date', 'varchar') }} as customer_month,
    referenced_months.customer_id,
    referenced_months.month_start_date as month,  -- noqa: RF04
    coalesce(segments.bridge_segment, as_of_segments.current_segment) as segment,
    coalesce(segments.customer_success_segment, as_of_segments.current_segment) as cs_segment,
    coalesce(segments.has_mrr, false) as has_mrr
from referenced_months
left join segments
    on
        referenced_months.customer_id = segments.customer_id
        and referenced_months.month_start_date = segments.month_start_date
left join as_of_segments
    on referenced_months.customer_id = as_of_segments.customer_id
