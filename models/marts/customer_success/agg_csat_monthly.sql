-- CSAT by month and segment ('all' plus each segment), from two inputs:
--   survey CSAT answers (1-5, deduped like NPS), month of submitted_at: satisfied = 4 or 5,
--     survey_csat_pct = satisfied / answers (fraction 0-1, 4 decimals);
--   support satisfaction ratings, the latest rating per ticket, month of that rating:
--     support_csat_pct = good / (good + bad) (fraction 0-1, 4 decimals).
-- Both are fractions 0-1 rounded half away from zero to 4 decimals (csw_fraction), NULL
-- without answers.
-- Segment = the customer's segment in that month, else its current segment.

with

responses as (

    select * from {{ ref('int_survey_responses__attributed') }}

),

tickets as (

    select * from {{ ref('int_support_tickets__sla') }}

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

csat_events as (

    select
        customer_id,
        submitted_month as month,  -- noqa: RF04
        'survey' as csat_source,
        case when is_csat_satisfied then 1 else 0 end as is_positive
    from responses
    where survey_type = 'csat'

    union all

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'csat_rated_at') }} as date) as month,  -- noqa: RF04
        'support' as csat_source,
        case when csat_score = 'good' then 1 else 0 end as is_positive
    from tickets
    where csat_score is not null

),

segmented_events as (

    {{ csw_with_customer_success_segment('csat_events') }}

),

events_by_segment as (

    {{ csw_rows_by_segment('segmented_events', ['csat_source', 'is_positive']) }}

),

month_segments as (

    {{ csw_month_segment_grid('csat_events') }}

),

joined as (

    {{ csw_counts_on_month_segment_grid('month_segments', 'events_by_segment', [
        ('survey_responses', "sum(case when csat_source = 'survey' then 1 else 0 end)"),
        ('survey_satisfied', "sum(case when csat_source = 'survey' then is_positive else 0 end)"),
        ('support_good', "sum(case when csat_source = 'support' then is_positive else 0 end)"),
        ('support_bad', "sum(case when csat_source = 'support' then 1 - is_positive else 0 end)"),
    ]) }}

),

final as (

    select
        cast(month as date) as month,  -- noqa: RF04
        {{ dbt.cast('segment', 'varchar') }} as segment,
        cast(survey_responses as integer) as survey_responses,
        cast(survey_satisfied as integer) as survey_satisfied,
        {{ csw_fraction('survey_satisfied', 'survey_responses') }} as survey_csat_pct,
        cast(support_good as integer) as support_ratings_good,
        cast(support_bad as integer) as support_ratings_bad,
        {{ csw_fraction('support_good', 'support_good + support_bad') }} as support_csat_pct
    from joined

)

select * from final
