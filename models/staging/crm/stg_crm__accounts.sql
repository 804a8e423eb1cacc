-- Current, valid crm.accounts records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_crm__accounts') }}
    where _dq_status = 'staged'

),

final as (

    select
        account_id,
        account_name,
        industry,
        employee_count,
        country_code,
        owner_user_id,
        created_at,
        merged_into_account_id,
        {{ csw_staged_columns() }}

    from base

)

select * from final
