-- Health component "engagement": recency of the customer's last touchpoint of any
-- model at the snapshot date. Scoring curve (documented in the YAML):
--   days since last touch <= 14 -> 100; 14..90 -> linear 100 -> 0; >= 90 or never -> 0.
-- CRM activities are a required source, so this component is never missing: a
-- customer never touched scores 0 with a NULL raw input. Only the customer months this run
-- computes (int_customer_health__snapshot_months).
-- Incremental (dbt_project.yml, folder health/): computes the customer months of
-- int_customer_health__snapshot_months (all in a full build, the changed customers' months from
-- the first changed month in a daily run).

with

touch_months as (

    select * from {{ ref('int_touchpoints__customer_monthly') }}

),

snapshot_months as (

    select * from {{ ref('int_customer_health__snapshot_months') }}

),

final as (

    select
        touch_months.customer_id,
        touch_months.month,
        touch_months.days_since_last_touch,
        cast(
            case
                when touch_months.days_since_last_touch is null then 0
                when touch_months.days_since_last_touch <= 14 then 100
                when touch_months.days_since_last_touch >= 90 then 0
                else {{ csw_ratio('100 * (90 - touch_months.days_since_last_touch)', '76', 1) }}
            end
            as decimal(4, 1)
        ) as engagement_score,
        {{ csw_incremental_stamp() }}
    from touch_months
    inner join snapshot_months
        on
            touch_months.customer_id = snapshot_months.customer_id
            and touch_months.month = snapshot_months.month

)

select * from final
