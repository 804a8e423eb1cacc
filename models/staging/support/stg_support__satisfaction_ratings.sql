-- Current, valid support.satisfaction_ratings records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_support__satisfaction_ratings') }}
    where _dq_status = 'staged'

),

final as (

    select
        rating_id,
        ticket_id,
        score,
        comment,
        created_at,
        {{ csw_staged_columns() }}

    from base

)

select * from final
