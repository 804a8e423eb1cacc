-- One row per support ticket: customer, timings, escalation, SLA targets and breaches
-- at the as-of time, reopens and the latest satisfaction rating.

with

tickets as (

    select * from {{ ref('int_support_tickets__sla') }}

),

final as (

    select
        {{ dbt.cast('ticket_id', 'varchar') }} as ticket_id,
        {{ dbt.cast('customer_id', 'varchar') }} as customer_id,
        {{ dbt.cast('organization_id', 'varchar') }} as organization_id,
        {{ dbt.cast('priority', 'varchar') }} as priority,
        {{ dbt.cast('channel', 'varchar') }} as channel,
        {{ dbt.cast('status', 'varchar') }} as status,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(first_reply_at as {{ dbt.type_timestamp() }}) as first_reply_at,
        cast(first_reply_minutes as integer) as first_reply_minutes,
        cast(solved_at as {{ dbt.type_timestamp() }}) as solved_at,
        cast(resolution_minutes as integer) as resolution_minutes,
        cast(is_escalated as boolean) as is_escalated,
        cast(is_escalated_by_priority as boolean) as is_escalated_by_priority,
        cast(is_escalated_by_group as boolean) as is_escalated_by_group,
        cast(escalated_at as {{ dbt.type_timestamp() }}) as escalated_at,
        cast(sla_first_reply_minutes as integer) as sla_first_reply_minutes,
        cast(sla_resolution_minutes as integer) as sla_resolution_minutes,
        cast(first_reply_due_at as {{ dbt.type_timestamp() }}) as first_reply_due_at,
        cast(resolution_due_at as {{ dbt.type_timestamp() }}) as resolution_due_at,
        cast(breached_first_reply_sla as boolean) as breached_first_reply_sla,
        cast(breached_resolution_sla as boolean) as breached_resolution_sla,
        cast(reopen_count as integer) as reopen_count,
        {{ dbt.cast('csat_score', 'varchar') }} as csat_score,
        cast(csat_rated_at as {{ dbt.type_timestamp() }}) as csat_rated_at
    from tickets

)

select * from final
