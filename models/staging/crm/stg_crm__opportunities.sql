-- Current, valid crm.opportunities records (one per key), typed and renamed per docs/design.md.

with

base as (

    select * from {{ ref('base_crm__opportunities') }}
    where _dq_status = 'staged'

),

final as (

    select
        opportunity_id,
        account_id,
        opportunity_type,
        stage,
        amount,
        currency,
        close_date,
        loss_reason,
        {{ csw_staged_columns() }}

    from base

)

select * from final
