-- Typed, checked and deduplicated survey.responses: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: response_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).


{{ config(
    materialized=csw_incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='_record_key',
    pre_hook="{{ csw_incremental_reset(source('survey', 'responses')) }}",
) }}

with

source as (

    select * from {{ source('survey', 'responses') }}
    {{ csw_incremental_key_filter(source('survey', 'responses'), ['response_id']) }}

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
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        _source_file_id,
        {{ csw_record_key(['response_id']) }} as _record_key,
        {{ csw_has_null(['response_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('score', 'integer'),
            ('submitted_at', 'timestamp'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'survey_type',
            'score',
            'submitted_at',
        ]) }} as _unparseable_reason

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
        _loaded_at,
        _loaded_at_raw,
        _is_deleted,
        _source_file,
        _source_row_number,
        _source_file_id,
        _record_key,
        _dq_status,
        _dq_reason

    from deduplicated

)

select * from final
