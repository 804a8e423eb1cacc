-- One row per CRM activity, classified into a touch model and attributed to the
-- surviving customer of its account.

with

touchpoints as (

    select * from {{ ref('int_touchpoints__classified') }}

),

final as (

    select
        {{ dbt.cast('activity_id', 'varchar') }} as activity_id,
        {{ dbt.cast('customer_id', 'varchar') }} as customer_id,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        {{ dbt.cast('activity_type', 'varchar') }} as activity_type,
        {{ dbt.cast('touch_model', 'varchar') }} as touch_model,
        {{ dbt.cast('user_id', 'varchar') }} as user_id,
        {{ dbt.cast('contact_id', 'varchar') }} as contact_id,
        cast(is_automated as boolean) as is_automated
    from touchpoints

)

select * from final
