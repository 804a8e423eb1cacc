-- Touchpoints per customer, month and touch model, up to the as-of date: the number of touches
-- and the latest touch day. Whole months before the as-of month come from the incremental
-- per-account aggregate (int_crm_activities__account_month); the as-of month, which counts only
-- up to the as-of date, from the staged activities. Accounts map to their surviving customer
-- and activity types to their touch model after the aggregate, so a merge or a seed change is
-- a plain rebuild of this table. An activity without a known customer is no touchpoint.

with

account_months as (

    select * from {{ ref('int_crm_activities__account_month') }}

),

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

crm_accounts as (

    -- every known CRM account and the surviving account (= customer_id) it counts as
    select * from {{ ref('int_crm_accounts__merge_resolved') }}

),

touch_models as (

    select * from {{ ref('touch_models') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

whole_months as (

    select
        account_months.account_id,
        account_months.activity_month as month,  -- noqa: RF04
        account_months.activity_type,
        account_months.staged_activities as touches,
        account_months.last_activity_date
    from account_months
    cross join as_of
    where
        account_months.activity_month < as_of.as_of_month
        and account_months.staged_activities > 0

),

as_of_month as (

    select
        activities.account_id,
        as_of.as_of_month as month,  -- noqa: RF04
        activities.activity_type,
        count(*) as touches,
        max(cast(activities.occurred_at as date)) as last_activity_date
    from activities
    cross join as_of
    where
        cast(activities.occurred_at as date) >= as_of.as_of_month
        and cast(activities.occurred_at as date) <= as_of.as_of_date
    group by activities.account_id, as_of.as_of_month, activities.activity_type

),

account_type_months as (

    select * from whole_months
    union all
    select * from as_of_month

),

final as (

    select
        crm_accounts.surviving_account_id as customer_id,
        cast(account_type_months.month as date) as month,  -- noqa: RF04
        touch_models.touch_model,
        touch_models.touch_rank,
        cast(sum(account_type_months.touches) as integer) as touches,
        max(account_type_months.last_activity_date) as last_touch_date
    from account_type_months
    inner join crm_accounts
        on account_type_months.account_id = crm_accounts.account_id
    left join touch_models
        on account_type_months.activity_type = touch_models.activity_type
    group by
        crm_accounts.surviving_account_id,
        account_type_months.month,
        touch_models.touch_model,
        touch_models.touch_rank

)

select * from final
