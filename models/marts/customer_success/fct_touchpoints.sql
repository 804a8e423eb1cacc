-- One row per CRM activity, classified into a touch model and attributed to the
-- surviving customer of its account.

with

touchpoints as (

    select * from {{ ref('int_touchpoints__classified') }}

),

final as (

    select
        cast(activity_id as varchar) as activity_id,
        cast(customer_id as varchar) as customer_id,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        cast(activity_type as varchar) as activity_type,
        cast(touch_model as varchar) as touch_model,
        cast(user_id as varchar) as user_id,
        cast(contact_id as varchar) as contact_id,
        cast(is_automated as boolean) as is_automated
    from touchpoints

)

select * from final
