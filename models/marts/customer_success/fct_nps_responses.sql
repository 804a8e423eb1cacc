-- One row per NPS answer after dedupe (one per survey and respondent, latest wins),
-- with its customer attribution. Unattributed answers keep customer_id NULL.

with

responses as (

    select * from {{ ref('int_survey_responses__attributed') }}

),

final as (

    select
        {{ dbt.cast('response_id', 'varchar') }} as response_id,
        {{ dbt.cast('survey_id', 'varchar') }} as survey_id,
        {{ dbt.cast('customer_id', 'varchar') }} as customer_id,
        cast(submitted_at as {{ dbt.type_timestamp() }}) as submitted_at,
        cast(submitted_month as date) as submitted_month,
        cast(score as integer) as score,
        {{ dbt.cast('nps_category', 'varchar') }} as nps_category,
        {{ dbt.cast('attribution_method', 'varchar') }} as attribution_method
    from responses
    where survey_type = 'nps'

)

select * from final
