-- Current, valid product.workspace_usage_daily records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_product__workspace_usage_daily') }}
    where _dq_status = 'staged'

),

final as (

    select
        workspace_id,
        crm_account_id,
        usage_date,
        active_users,
        sessions,
        key_feature_events,
        {{ csw_staged_columns() }}

    from base

)

select * from final
