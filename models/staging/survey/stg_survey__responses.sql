-- Current, valid survey.responses records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_survey__responses') }}
    where _dq_status = 'staged'

),

final as (

    select
        response_id,
        survey_id,
        survey_type,
        respondent_email,
        {{ csw_hash('respondent_email') }} as respondent_email_hash,
        crm_account_id,
        score,
        comment,
        submitted_at,
        {{ csw_staged_columns() }}

    from base

)

select * from final
