-- CRM activities per CRM account, month and activity type, the input of the touchpoint
-- models (int_touchpoints__customer_month_by_model): the number of staged activities and the
-- latest staged activity day. One row per (account_id, activity_month, activity_type) with any
-- base activity row, whatever its status (0 / NULL when none is staged), so that a triple whose
-- rows were all superseded or deleted is rewritten, not left stale. The grain depends neither
-- on customer resolution nor on the touch_models seed: both are applied after this aggregate,
-- so a merge or a seed change rewrites no row here.
-- Incremental (DECISIONS.md, "Incremental downstream models"): recomputes the triples of the
-- base rows written since its last build (every row of a key the base rewrote, so also the old
-- account, month and type of a superseded row); a pre-hook empties it when the base was reset.

{{ config(
    materialized=csw_incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'activity_month', 'activity_type'],
    pre_hook="{{ csw_incremental_downstream_reset(ref('base_crm__activities')) }}",
) }}

with

activities as (

    select * from {{ ref('base_crm__activities') }}

),

{% if is_incremental() %}
{{ csw_incremental_touched_keys(
    ref('base_crm__activities'),
    keys=[
        ('account_id', 'account_id'),
        ('activity_month', dbt.date_trunc('month', 'occurred_at')),
        ('activity_type', 'activity_type'),
    ],
    required=['account_id', 'occurred_at', 'activity_type'],
) }},
{% endif %}

account_activities as (

    select
        account_id,
        {{ dbt.date_trunc('month', 'occurred_at') }} as activity_month,
        activity_type,
        cast(occurred_at as date) as occurred_date,
        _dq_status,
        _csw_built_at
    from activities
    where account_id is not null and occurred_at is not null and activity_type is not null

),

in_scope as (

    select account_activities.*
    from account_activities
    {% if is_incremental() -%}
        inner join touched_keys
            on
                account_activities.account_id = touched_keys.account_id
                and account_activities.activity_month = touched_keys.activity_month
                and account_activities.activity_type = touched_keys.activity_type
    {%- endif %}

),

final as (

    select
        account_id,
        cast(activity_month as date) as activity_month,
        activity_type,
        count(case when _dq_status = 'staged' then 1 end) as staged_activities,
        max(case when _dq_status = 'staged' then occurred_date end) as last_activity_date,
        max(_csw_built_at) as _csw_upstream_built_at,
        {{ csw_incremental_stamp() }}
    from in_scope
    group by account_id, activity_month, activity_type

)

select * from final
