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
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['rating_id']) }} as _record_key,
        {{ csw_has_null(['rating_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('created_at', 'timestamp'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'ticket_id',
            'score',
            'created_at',
        ]) }} as _unparseable_reason

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
        _loaded_at,
        _loaded_at_raw,
        _is_deleted,
        _source_file,
        _source_row_number,
        _record_key,
        _dq_status,
        _dq_reason

    from deduplicated

)

select * from final
