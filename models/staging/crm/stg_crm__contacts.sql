-- Current, valid crm.contacts records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_crm__contacts') }}
    where _dq_status = 'staged'

),

final as (

    select
        contact_id,
        account_id,
        email,
        {{ csw_hash('email') }} as email_hash,
        full_name,
        title,
        created_at,
        {{ csw_staged_columns() }}

    from base

)

select * from final
