-- One row per NPS answer after dedupe (one per survey and respondent, latest wins),
-- with its customer attribution. Unattributed answers keep customer_id NULL.

with

responses as (

    select * from {{ ref('int_survey_responses__attributed') }}

),

final as (

    select
        cast(response_id as varchar) as response_id,
        cast(survey_id as varchar) as survey_id,
        cast(customer_id as varchar) as customer_id,
        cast(submitted_at as {{ dbt.type_timestamp() }}) as submitted_at,
        cast(submitted_month as date) as submitted_month,
        cast(score as integer) as score,
        cast(nps_category as varchar) as nps_category,
        cast(attribution_method as varchar) as attribution_method
    from responses
    where survey_type = 'nps'

)

select * from final
