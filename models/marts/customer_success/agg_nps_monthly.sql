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

    select
        customer_id,
        month_start_date,
        customer_success_segment,
        current_segment

    from {{ ref('int_customer_months__segmented') }}

),

as_of_segments as (

    {#- Months before the first month with MRR lie outside the segment grid: the current segment. #}
    select
        customer_segments.customer_id,
        customer_segments.current_segment

    from customer_segments
    inner join {{ ref('int_as_of') }} as as_of_month
        on customer_segments.month_start_date = as_of_month.as_of_month

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

segmented_responses as (

    -- the customer-success segment of the answer's month (int_customer_months__segmented:
    -- the month's segment, else the current one)
    select
        responses.response_id,
        responses.submitted_month as month,  -- noqa: RF04
        responses.nps_category,
        coalesce(customer_segments.customer_success_segment, as_of_segments.current_segment) as segment
    from responses
    left join customer_segments
        on
            responses.customer_id = customer_segments.customer_id
            and responses.submitted_month = customer_segments.month_start_date
    left join as_of_segments
        on responses.customer_id = as_of_segments.customer_id

),

responses_by_segment as (

    select
        month,
        'all' as segment,
        nps_category
    from segmented_responses

    union all

    select
        month,
        segment,
        nps_category
    from segmented_responses
    where segment is not null

),

all_months as (

    select month from customer_months
    union all
    select submitted_month as month from responses  -- noqa: RF04

),

months as (

    select distinct all_months.month
    from all_months
    cross join as_of
    where all_months.month <= as_of.as_of_date

),

segments as (

    select 'all' as segment
    union all
    select distinct segment from customer_months
    where segment is not null

),

month_segments as (

    select
        months.month,
        segments.segment
    from months
    cross join segments

),

counts as (

    select
        month,
        segment,
        count(*) as responses,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when nps_category = 'passive' then 1 else 0 end) as passives,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractors
    from responses_by_segment
    group by month, segment

),

joined as (

    select
        month_segments.month,
        month_segments.segment,
        coalesce(counts.responses, 0) as responses,
        coalesce(counts.promoters, 0) as promoters,
        coalesce(counts.passives, 0) as passives,
        coalesce(counts.detractors, 0) as detractors
    from month_segments
    left join counts
        on
            month_segments.month = counts.month
            and month_segments.segment = counts.segment

),

final as (

    select
        cast(month as date) as month,  -- noqa: RF04
        {{ dbt.cast('segment', 'varchar') }} as segment,
        cast(responses as integer) as responses,
        cast(promoters as integer) as promoters,
        cast(passives as integer) as passives,
        cast(detractors as integer) as detractors,
        cast(
            {{ csw_ratio('100 * (promoters - detractors)', 'responses', 1) }}
            as decimal(4, 1)
        ) as nps
    from joined

)

select * from final
