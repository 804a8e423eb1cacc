-- Typed, checked and deduplicated survey.responses: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: response_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(**csw_incremental_config('survey', 'responses')) }}

with

source as (

    {{ csw_incremental_source('survey', 'responses', ['response_id']) }}

),

parsed as (

    select
        {{ csw_parse_text('response_id') }} as response_id,
        {{ csw_parse_text('survey_id') }} as survey_id,
        {{ csw_parse_text('survey_type') }} as survey_type,
        {{ csw_parse_email('respondent_email') }} as respondent_email,
        {{ csw_parse_text('crm_account_id') }} as crm_account_id,
        {{ csw_parse_integer('score') }} as score,
        {{ csw_parse_text('comment') }} as comment,
        {{ csw_parse_timestamp('submitted_at') }} as submitted_at,
        {{ csw_dq_parsed_columns(
            ['response_id'],
            checks=[('score', 'integer'), ('submitted_at', 'timestamp')],
            required=['survey_type', 'score', 'submitted_at'],
            with_file_id=true,
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('survey_type', ['nps', 'csat']) }}
                    then 'unknown_value:survey_type'
                when score is null then 'out_of_range:score'
                when survey_type = 'nps' and score not between 0 and 10
                    then 'out_of_range:score'
                when survey_type = 'csat' and score not between 1 and 5
                    then 'out_of_range:score'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['response_id']) }}

),

final as (

    select
        response_id,
        survey_id,
        survey_type,
        respondent_email,
        crm_account_id,
        score,
        comment,
        submitted_at,
        {{ csw_dq_final_columns(with_file_id=true) }}

    from deduplicated

)

select * from final
