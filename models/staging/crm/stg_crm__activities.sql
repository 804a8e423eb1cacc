-- Current, valid crm.activities records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_crm__activities') }}
    where _dq_status = 'staged'

),

final as (

    select
        activity_id,
        account_id,
        contact_id,
        user_id,
        activity_type,
        occurred_at,
        subject,
        {{ csw_staged_columns() }}

    from base

)

select * from final
