-- NPS per customer over the latest 180 days up to the as-of date: the responses
-- submitted on a date in (as_of_date - 180 days, as_of_date]. One row per customer
-- with at least one attributed NPS response in that window (join it with a left join).

with

responses as (

    select * from {{ ref('int_survey_responses__attributed') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

windowed_responses as (

    select
        responses.customer_id,
        responses.score,
        responses.nps_category,
        responses.submitted_at,
        responses.response_id,
        as_of.as_of_date
    from responses
    cross join as_of
    where
        responses.survey_type = 'nps'
        and responses.customer_id is not null
        and {{ csw_in_days_up_to('cast(responses.submitted_at as date)', 180, 'as_of.as_of_date') }}

),

ranked_responses as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by submitted_at desc, response_id desc
        ) as recency_rank
    from windowed_responses

),

customer_counts as (

    select
        customer_id,
        as_of_date,
        count(*) as nps_responses,
        {{ csw_nps_category_counts() }}
    from windowed_responses
    group by customer_id, as_of_date

),

final as (

    select
        customer_counts.customer_id,
        cast(customer_counts.as_of_date as date) as as_of_date,
        cast({{ dbt.dateadd('day', -179, 'customer_counts.as_of_date') }} as date) as window_start_date,  -- noqa: LT05
        cast(customer_counts.nps_responses as integer) as nps_responses,
        cast(customer_counts.promoters as integer) as promoters,
        cast(customer_counts.passives as integer) as passives,
        cast(customer_counts.detractors as integer) as detractors,
        {{ csw_nps(
            'customer_counts.promoters', 'customer_counts.detractors', 'customer_counts.nps_responses'
        ) }} as nps_180d,
        ranked_responses.score as latest_nps_score,
        ranked_responses.submitted_at as latest_nps_submitted_at
    from customer_counts
    inner join ranked_responses
        on
            customer_counts.customer_id = ranked_responses.customer_id
            and ranked_responses.recency_rank = 1

)

select * from final
