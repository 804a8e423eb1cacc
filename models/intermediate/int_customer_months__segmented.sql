-- The one owner of segments (metrics.md "Customer", design.md "Segments"): one row per
-- customer and month of the spine with the customer's segment that month (from its MRR in
-- the month or its employee count, seed segment_thresholds), the bridge segment (the
-- month's segment, or M-1's for a customer that churned in M), its current segment (as of
-- the as-of month) and the customer-success segment (the month's segment, else the
-- current one). Every model that slices by segment reads it here.

with

customers as (

    select * from {{ ref('int_customers') }}

),

months as (

    select * from {{ ref('int_months__spine') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

product_months as (

    select * from {{ ref('int_mrr__customer_product_month') }}

),

customer_months as (

    select
        customer_id,
        month_start_date,
        cast(sum(mrr_usd_cents) as bigint) as mrr_usd_cents,
        cast(sum(prev_mrr_usd_cents) as bigint) as prev_mrr_usd_cents

    from product_months
    group by
        customer_id,
        month_start_date

),

segment_thresholds as (

    select
        segment,
        {{ csw_scaled_int('min_mrr_usd', 2) }} as min_mrr_cents,
        min_employee_count,
        rank as segment_rank

    from {{ ref('segment_thresholds') }}

),

grid as (

    select
        customers.customer_id,
        customers.employee_count,
        months.month_start_date,
        coalesce(customer_months.mrr_usd_cents, 0) as mrr_usd_cents,
        coalesce(customer_months.prev_mrr_usd_cents, 0) as prev_mrr_usd_cents,
        coalesce(current_months.mrr_usd_cents, 0) as current_mrr_usd_cents

    from customers
    cross join months
    cross join as_of
    left join customer_months
        on
            customers.customer_id = customer_months.customer_id
            and months.month_start_date = customer_months.month_start_date
    left join customer_months as current_months
        on
            customers.customer_id = current_months.customer_id
            and as_of.as_of_month = current_months.month_start_date

),

{# The smallest rank whose MRR or employee threshold the customer reaches (the seed's last
    segment has zero thresholds, so everyone reaches one), for the month, M-1 and the as-of
    month. #}
{%- set threshold_ranks = [
    ('mrr_usd_cents', 'segment_rank'),
    ('prev_mrr_usd_cents', 'prev_segment_rank'),
    ('current_mrr_usd_cents', 'current_segment_rank'),
] %}
ranked as (

    select
        grid.customer_id,
        grid.month_start_date,
        {% for amount, rank in threshold_ranks -%}
        min(
            case
                when
                    grid.{{ amount }} >= segment_thresholds.min_mrr_cents
                    or grid.employee_count >= segment_thresholds.min_employee_count
                    then segment_thresholds.segment_rank
            end
        ) as {{ rank }},
        {% endfor -%}
        grid.mrr_usd_cents,
        grid.prev_mrr_usd_cents

    from grid
    cross join segment_thresholds
    group by
        grid.customer_id,
        grid.month_start_date,
        grid.mrr_usd_cents,
        grid.prev_mrr_usd_cents

),

named as (

    select
        ranked.customer_id,
        ranked.month_start_date,
        ranked.mrr_usd_cents > 0 as has_mrr,
        ranked.prev_mrr_usd_cents > 0 as had_mrr_prev_month,
        case when ranked.mrr_usd_cents > 0 then month_segment.segment end as segment,
        case when ranked.prev_mrr_usd_cents > 0 then prev_segment.segment end as prev_month_segment,
        current_segment.segment as current_segment

    from ranked
    left join segment_thresholds as month_segment
        on ranked.segment_rank = month_segment.segment_rank
    left join segment_thresholds as prev_segment
        on ranked.prev_segment_rank = prev_segment.segment_rank
    left join segment_thresholds as current_segment
        on ranked.current_segment_rank = current_segment.segment_rank

),

final as (

    select
        customer_id,
        month_start_date,
        has_mrr,
        had_mrr_prev_month,
        segment,
        prev_month_segment,
        coalesce(segment, prev_month_segment) as bridge_segment,
        current_segment,
        coalesce(segment, current_segment) as customer_success_segment

    from named

)

select * from final
