-- Health component "adoption": seat utilization in the month.
--   average daily active users = sum over the days of the month up to the snapshot date
--     of the customer's active users (all its workspaces; a day without a row = 0)
--     / number of those days;
--   licensed seats = sum of the quantities of the customer's recurring, non-trial
--     charge segments that count as MRR in the month;
--   seat utilization = average daily active users / licensed seats.
-- Scoring curve: min(100, 125 * utilization), i.e. 80 % utilization or more = 100.
-- Whole months come from int_workspace_usage__account_month (incremental, per CRM account and
-- month); a month whose snapshot date is before its last day (the as-of month) from the daily rows.
-- Missing (NULL) when the customer has no product usage row on or before the snapshot
-- date (no workspace, or the optional product source is absent) or no licensed seats.
-- Incremental (dbt_project.yml, folder health/): computes the customer months of
-- int_customer_health__snapshot_months (all in a full build, the changed customers' months from
-- the first changed month in a daily run).

with

customer_months as (

    select * from {{ ref('int_customer_health__snapshot_months') }}

),

account_months as (

    select * from {{ ref('int_workspace_usage__account_month') }}

),

usage_daily as (

    select * from {{ ref('stg_product__workspace_usage_daily') }}

),

crm_accounts as (

    -- every known CRM account and the surviving account (= customer_id) it counts as
    select * from {{ ref('int_crm_accounts__merge_resolved') }}

),

customer_usage_months as (

    -- whole months: the per-account aggregate, mapped to customers after aggregation (a merge
    -- changes the mapping, not the aggregate)
    select
        crm_accounts.surviving_account_id as customer_id,
        account_months.usage_month,
        sum(account_months.active_user_days) as active_user_days,
        min(account_months.first_usage_date) as first_usage_date
    from account_months
    inner join crm_accounts
        on account_months.crm_account_id = crm_accounts.account_id
    group by crm_accounts.surviving_account_id, account_months.usage_month

),

first_usage as (

    select
        customer_id,
        min(first_usage_date) as first_usage_date
    from customer_usage_months
    group by customer_id

),

partial_months as (

    -- the months whose snapshot date is before their last day (the as-of month, unless the
    -- as-of date is a month end): only their days up to the snapshot date count
    select distinct
        month,
        snapshot_date
    from customer_months
    where snapshot_date < {{ dbt.last_day('month', 'month') }}

),

partial_month_usage as (

    -- an equi-join on the month, then the days up to the snapshot date; the rows before the
    -- first partial month (nearly all) are dropped first, before the month is computed
    select
        crm_accounts.surviving_account_id as customer_id,
        partial_months.month,
        sum(usage_daily.active_users) as active_user_days
    from usage_daily
    inner join partial_months
        on
            {{ dbt.date_trunc('month', 'usage_daily.usage_date') }} = partial_months.month
            and usage_daily.usage_date <= partial_months.snapshot_date
    inner join crm_accounts
        on usage_daily.crm_account_id = crm_accounts.account_id
    where
        usage_daily.usage_date >= (
            select min(first_partial.month) from partial_months as first_partial
        )
    group by crm_accounts.surviving_account_id, partial_months.month

),

joined as (

    select
        customer_months.customer_id,
        customer_months.month,
        {{ dbt.datediff('customer_months.month', 'customer_months.snapshot_date', 'day') }} + 1  -- noqa: LT05
            as days_in_window,
        first_usage.first_usage_date is not null
        and first_usage.first_usage_date <= customer_months.snapshot_date as has_usage_data,
        coalesce(
            case
                when
                    customer_months.snapshot_date
                    < {{ dbt.last_day('customer_months.month', 'month') }}
                    then partial_month_usage.active_user_days
                else customer_usage_months.active_user_days
            end,
            0
        ) as active_user_days,
        customer_months.licensed_seats
    from customer_months
    left join first_usage
        on customer_months.customer_id = first_usage.customer_id
    left join customer_usage_months
        on
            customer_months.customer_id = customer_usage_months.customer_id
            and customer_months.month = customer_usage_months.usage_month
    left join partial_month_usage
        on
            customer_months.customer_id = partial_month_usage.customer_id
            and customer_months.month = partial_month_usage.month

),

final as (

    -- Exact rationals rounded half away from zero by integer arithmetic (csw_ratio), the
    -- same on every engine: utilization = active user days / (days * licensed seats).
    select
        customer_id,
        month,
        cast(
            case
                when has_usage_data then {{ csw_ratio('active_user_days', 'days_in_window', 2) }}
            end
            as decimal(18, 2)
        ) as avg_daily_active_users,
        cast(licensed_seats as decimal(18, 2)) as licensed_seats,
        cast(
            case
                when has_usage_data and licensed_seats > 0
                    then {{ csw_ratio('active_user_days', 'days_in_window * licensed_seats', 4) }}
            end
            as decimal(9, 4)
        ) as seat_utilization,
        cast(
            case
                when not has_usage_data or coalesce(licensed_seats, 0) <= 0 then null
                -- utilization >= 0.8, i.e. 5 * active user days >= 4 * days * seats
                when 5 * active_user_days >= 4 * days_in_window * licensed_seats then 100
                else {{ csw_ratio('125 * active_user_days', 'days_in_window * licensed_seats', 1) }}
            end
            as decimal(4, 1)
        ) as adoption_score,
        {{ csw_incremental_stamp() }}
    from joined

)

select * from final
