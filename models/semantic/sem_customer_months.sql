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
{#- The facts of the semantic layer that refer to a customer month: (model, month expression,
    filter); referenced_months is their union. -#}
{%- set month_references = [
    ('fct_mrr', 'month', none),
    ('fct_mrr_movements', 'month', none),
    ('fct_mrr_customer_changes', 'month', none),
    ('fct_churn_events', 'churn_month', none),
    ('fct_customer_health', 'month', none),
    ('fct_nps_responses', 'submitted_month', 'customer_id is not null'),
    ('fct_support_tickets', "cast(date_trunc('month', created_at) as date)",
     'customer_id is not null'),
    ('fct_support_tickets', "cast(date_trunc('month', csat_rated_at) as date)",
     'customer_id is not null and csat_rated_at is not null'),
] %}

with

segments as (

    select * from {{ ref('int_customer_months__segmented') }}

),

current_segments as (

    select * from {{ ref('int_customers__current_segment') }}

),

referenced_months as (
    {%- for model_name, month_expression, filter in month_references %}

    select
        customer_id,
        {{ month_expression }} as month_start_date
    from {{ ref(model_name) }}
    {%- if filter %}
    where {{ filter }}
    {%- endif %}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}

)

select
    referenced_months.customer_id
    || '|'
    || {{ dbt.cast('referenced_months.month_start_date', 'varchar') }} as customer_month,
    referenced_months.customer_id,
    referenced_months.month_start_date as month,  -- noqa: RF04
    coalesce(segments.bridge_segment, current_segments.current_segment) as segment,
    coalesce(segments.customer_success_segment, current_segments.current_segment) as cs_segment,
    coalesce(segments.has_mrr, false) as has_mrr
from referenced_months
left join segments
    on
        referenced_months.customer_id = segments.customer_id
        and referenced_months.month_start_date = segments.month_start_date
left join current_segments
    on referenced_months.customer_id = current_segments.customer_id
