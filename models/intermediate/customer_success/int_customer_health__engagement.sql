-- Health component "engagement": recency of the customer's last touchpoint of any
-- model at the snapshot date. Scoring curve (documented in the YAML):
--   days since last touch <= 14 -> 100; 14..90 -> linear 100 -> 0; >= 90 or never -> 0.
-- CRM activities are a required source, so this component is never missing: a
-- customer never touched scores 0 with a NULL raw input.

with

touch_months as (

    select * from {{ ref('int_touchpoints__customer_monthly') }}

),

final as (

    select
        customer_id,
        month,
        days_since_last_touch,
        cast(
            case
                when days_since_last_touch is null then 0
                when days_since_last_touch <= 14 then 100
                when days_since_last_touch >= 90 then 0
                else {{ csw_ratio('100 * (90 - days_since_last_touch)', '76', 1) }}
            end
            as decimal(4, 1)
        ) as engagement_score
    from touch_months

)

select * from final
