-- End to end, against the raw export: after dedupe no two NPS answers of the same survey
-- come from the same respondent, the respondent being lower(trim(raw email)) - so emails that
-- differ only in case or surrounding spaces are one respondent.

with

raw_responses as (

    select distinct
        response_id,
        lower(trim(respondent_email)) as respondent_email_normalized
    from {{ source('survey', 'responses') }}
    where respondent_email is not null and trim(respondent_email) <> ''

),

nps_responses as (

    select * from {{ ref('fct_nps_responses') }}

),

answers_per_respondent as (

    select
        nps_responses.survey_id,
        raw_responses.respondent_email_normalized,
        count(distinct nps_responses.response_id) as answers
    from nps_responses
    inner join raw_responses
        on nps_responses.response_id = raw_responses.response_id
    group by nps_responses.survey_id, raw_responses.respondent_email_normalized

)

select * from answers_per_respondent
where answers > 1
