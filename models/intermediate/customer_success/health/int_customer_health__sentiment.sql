-- Health component "sentiment": the customer's latest NPS answer submitted in the 180
-- days ending on the snapshot date (dates in (snapshot_date - 180, snapshot_date]).
-- Scoring curve: score * 10 (0 -> 0, 6 -> 60, 8 -> 80, 10 -> 100). Missing (NULL)
-- when the customer gave no NPS answer in the window.
-- Incremental (dbt_project.yml, folder health/): computes the customer months of
-- int_customer_health__snapshot_months (all in a full build, the changed customers' months from
-- the first changed month in a daily run).

with

customer_months as (

    select * from {{ ref('int_customer_health__snapshot_months') }}

),

responses as (

    select * from {{ ref('int_survey_responses__attributed') }}

),

nps_responses as (

    select
        response_id,
        customer_id,
        submitted_at,
        cast(submitted_at as date) as submitted_date,
        score
    from responses
    where survey_type = 'nps' and customer_id is not null

),

responses_in_window as (

    select
        customer_months.customer_id,
        customer_months.month,
        nps_responses.score,
        nps_responses.submitted_at,
        row_number() over (
            partition by customer_months.customer_id, customer_months.month
            order by nps_responses.submitted_at desc, nps_responses.response_id desc
        ) as recency_rank
    from customer_months
    inner join nps_responses
        on
            customer_months.customer_id = nps_responses.customer_id
            and {{ csw_in_days_up_to(
                'nps_responses.submitted_date', 180, 'customer_months.snapshot_date'
            ) }}

),

latest_in_window as (

    select * from responses_in_window
    where recency_rank = 1

),

final as (

    select
        customer_months.customer_id,
        customer_months.month,
        latest_in_window.score as latest_nps_score_180d,
        latest_in_window.submitted_at as latest_nps_submitted_at,
        cast(10 * latest_in_window.score as decimal(4, 1)) as sentiment_score,
        {{ csw_incremental_stamp() }}
    from customer_months
    left join latest_in_window
        on
            customer_months.customer_id = latest_in_window.customer_id
            and customer_months.month = latest_in_window.month

)

select * from final
