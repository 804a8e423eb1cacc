-- Current, valid crm.users records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_crm__users') }}
    where _dq_status = 'staged'

),

final as (

    select
        user_id,
        full_name,
        email,
        {{ csw_hash('email') }} as email_hash,
        role,
        is_active,
        {{ csw_staged_columns() }}

    from base

)

select * from final
