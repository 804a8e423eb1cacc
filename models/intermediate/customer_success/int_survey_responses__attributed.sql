-- One answer per survey and respondent (the salted hash of lower(trim(email))), the
-- latest submitted_at winning, attributed to a customer: the response's own CRM
-- account when it names a known account (after merges), else the account of the most
-- recently created contact with that email, else unattributed. Only answers submitted
-- before the as-of time count: an as-of build knows no later answer (int_as_of).

with

responses as (

    select * from {{ ref('stg_survey__responses') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

crm_accounts as (

    -- every known CRM account and the surviving account (= customer_id) it counts as
    select * from {{ ref('int_crm_accounts__merge_resolved') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

valid_responses as (

    -- staging quarantines out-of-range scores already; this guard keeps a bad score
    -- out of every customer-success mart even if that rule ever regressed
    select responses.*
    from responses
    cross join as_of
    where
        responses.submitted_at < as_of.as_of_end_at
        and (
            (responses.survey_type = 'nps' and responses.score between 0 and 10)
            or (responses.survey_type = 'csat' and responses.score between 1 and 5)
        )

),

ranked_responses as (

    select
        *,
        row_number() over (
            partition by survey_id, coalesce(respondent_email_hash, response_id)
            order by submitted_at desc, response_id desc
        ) as answer_rank
    from valid_responses

),

deduped_responses as (

    select * from ranked_responses
    where answer_rank = 1

),

ranked_contacts as (

    select
        email_hash,
        account_id,
        row_number() over (
            partition by email_hash
            order by created_at desc, contact_id desc
        ) as contact_rank
    from contacts
    where email_hash is not null

),

latest_contact_per_email as (

    select
        email_hash,
        account_id
    from ranked_contacts
    where contact_rank = 1

),

attributed as (

    select
        deduped_responses.response_id,
        deduped_responses.survey_id,
        deduped_responses.survey_type,
        deduped_responses.respondent_email_hash,
        deduped_responses.crm_account_id as response_crm_account_id,
        deduped_responses.score,
        deduped_responses.submitted_at,
        coalesce(
            response_account.surviving_account_id,
            contact_account.surviving_account_id
        ) as customer_id,
        case
            when response_account.surviving_account_id is not null then 'response_account'
            when contact_account.surviving_account_id is not null then 'contact_email'
            else 'unattributed'
        end as attribution_method

    from deduped_responses

    left join crm_accounts as response_account
        on deduped_responses.crm_account_id = response_account.account_id

    left join latest_contact_per_email
        on deduped_responses.respondent_email_hash = latest_contact_per_email.email_hash

    left join crm_accounts as contact_account
        on latest_contact_per_email.account_id = contact_account.account_id

),

final as (

    select
        response_id,
        survey_id,
        survey_type,
        respondent_email_hash,
        response_crm_account_id,
        customer_id,
        attribution_method,
        submitted_at,
        cast({{ dbt.date_trunc('month', 'submitted_at') }} as date) as submitted_month,
        score,
        case
            when survey_type = 'nps' and score >= 9 then 'promoter'
            when survey_type = 'nps' and score >= 7 then 'passive'
            when survey_type = 'nps' then 'detractor'
        end as nps_category,
        case
            when survey_type = 'csat' then score >= 4
        end as is_csat_satisfied
    from attributed

)

select * from final
