-- Typed, checked and deduplicated support.satisfaction_ratings: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: rating_id.

with

source as (

    select * from {{ source('support', 'satisfaction_ratings') }}

),

parsed as (

    select
        {{ csw_parse_text('rating_id') }} as rating_id,
        {{ csw_parse_text('ticket_id') }} as ticket_id,
        {{ csw_parse_text('score') }} as score,
        {{ csw_parse_text('comment') }} as comment,
        {{ csw_parse_timestamp('created_at') }} as created_at,
        {{ csw_dq_parsed_columns(
            ['rating_id'],
            checks=[('created_at', 'timestamp')],
            required=['ticket_id', 'score', 'created_at'],
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('score', ['good', 'bad']) }}
                    then 'unknown_value:score'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['rating_id']) }}

),

final as (

    select
        rating_id,
        ticket_id,
        score,
        comment,
        created_at,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
