-- Every health row: scores and coverage within 0-100, the band agrees with the seed
-- thresholds, and coverage is below 100 exactly when a component is missing.

with

health as (

    select * from {{ ref('fct_customer_health') }}

),

health_bands as (

    select * from {{ ref('health_bands') }}

),

expected_bands as (

    select
        health.customer_id,
        health.month,
        max(health_bands.min_score) as expected_min_score
    from health
    inner join health_bands
        on health.health_score >= health_bands.min_score
    group by health.customer_id, health.month

)

select
    health.customer_id,
    health.month,
    health.health_score,
    health.health_band,
    health.coverage_pct
from health
left join expected_bands
    on
        health.customer_id = expected_bands.customer_id
        and health.month = expected_bands.month
left join health_bands
    on health.health_band = health_bands.health_band
where
    health.health_score not between 0 and 100
    or health.coverage_pct not between 0 and 1
    or coalesce(health.adoption_score, 0) not between 0 and 100
    or health.engagement_score not between 0 and 100
    or health.support_score not between 0 and 100
    or coalesce(health.sentiment_score, 0) not between 0 and 100
    or health.financial_score not between 0 and 100
    or health_bands.min_score is distinct from expected_bands.expected_min_score
    or (health.coverage_pct < 1) <> (
        health.adoption_score is null or health.sentiment_score is null
    )
