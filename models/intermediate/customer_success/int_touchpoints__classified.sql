-- CRM activities as customer-success touchpoints: the surviving customer of the
-- activity's account and the touch model of its activity_type (seed touch_models). Only
-- activities that occurred before the as-of time count: an as-of build knows no later one.

with

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

final as (

    select
        activities.activity_id,
        crm_accounts.surviving_account_id as customer_id,
        activities.occurred_at,
        cast(activities.occurred_at as date) as occurred_date,
        activities.activity_type,
        touch_models.touch_model,
        touch_models.touch_rank,
        activities.user_id,
        activities.contact_id,
        activities.user_id is null as is_automated
    from activities
    left join crm_accounts
        on activities.account_id = crm_accounts.account_id
    left join touch_models
        on activities.activity_type = touch_models.activity_type
    cross join as_of
    where activities.occurred_at < as_of.as_of_end_at

)

select * from final
