-- NPS by month of submitted_at (UTC) and segment. One row per month (every month with
-- a paying customer or an NPS answer, up to the as-of month) and segment: 'all' (every
-- answer, attributed or not) and each segment (answers attributed to a customer of that
-- segment in that month). nps = 100 * (promoters - detractors) / responses, rounded
-- half away from zero to one decimal with integer arithmetic; NULL with no responses.

with

responses as (

    select * from {{ ref('fct_nps_responses') }}

),

customer_months as (

    select * from {{ ref('int_customer_months__customer_success_snapshot') }}

),

customer_segments as (

    select * from {{ ref('int_customer_months__segmented') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

current_segments as (

    select * from {{ ref('int_customers__current_segment') }}

),

nps_events as (

    select
        customer_id,
        response_id,
        submitted_month as month,  -- noqa: RF04
        nps_category
    from responses

),

segmented_responses as (

    {{ csw_with_customer_success_segment('nps_events') }}

),

responses_by_segment as (

    {{ csw_rows_by_segment('segmented_responses', ['nps_category']) }}

),

month_segments as (

    {{ csw_month_segment_grid('nps_events') }}

),

joined as (

    {{ csw_counts_on_month_segment_grid('month_segments', 'responses_by_segment', [
        ('responses', 'count(*)'),
        ('promoters', "sum(case when nps_category = 'promoter' then 1 else 0 end)"),
        ('passives', "sum(case when nps_category = 'passive' then 1 else 0 end)"),
        ('detractors', "sum(case when nps_category = 'detractor' then 1 else 0 end)"),
    ]) }}

),

final as (

    select
        cast(month as date) as month,  -- noqa: RF04
        {{ dbt.cast('segment', 'varchar') }} as segment,
        cast(responses as integer) as responses,
        cast(promoters as integer) as promoters,
        cast(passives as integer) as passives,
        cast(detractors as integer) as detractors,
        {{ csw_nps('promoters', 'detractors', 'responses') }} as nps
    from joined

)

select * from final
