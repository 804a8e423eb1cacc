{#-
    Conformed customer x month dimension of the semantic layer: one row per
    customer and month that any fact of the semantic layer refers to, with
    the two segment rules the marts use (docs/design.md "Segments",
    agg_nps_monthly / agg_csat_monthly):
    - segment: the bridge segment - the customer's segment in M when it has
      MRR in M, else its segment in M-1 (so churn lands in the segment it
      churned from), else its current segment (dim_customers);
    - cs_segment: the customer-success segment - its segment in M when it
      has MRR in M, else its current segment.
    customer_month = customer_id || '|' || month (YYYY-MM-DD), the key every
    semantic model joins on.
-#}
with

mrr_segments as (

    select
        customer_id,
        month as month_start_date,
        max(segment) as segment
    from {{ ref('fct_mrr') }}
    group by customer_id, month

),

customers as (

    select
        customer_id,
        segment
    from {{ ref('dim_customers') }}

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
    coalesce(this_month.segment, previous_month.segment, customers.segment) as segment,
    coalesce(this_month.segment, customers.segment) as cs_segment,
    this_month.customer_id is not null as has_mrr
from referenced_months
left join mrr_segments as this_month
    on
        referenced_months.customer_id = this_month.customer_id
        and referenced_months.month_start_date = this_month.month_start_date
left join mrr_segments as previous_month
    on
        referenced_months.customer_id = previous_month.customer_id
        and referenced_months.month_start_date
        = cast({{ dbt.dateadd('month', 1, 'previous_month.month_start_date') }} as date)
left join customers
    on referenced_months.customer_id = customers.customer_id
