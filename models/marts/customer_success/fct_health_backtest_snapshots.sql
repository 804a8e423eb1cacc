-- Every health snapshot whose 90-day outcome window is complete (snapshot_date + 90
-- days <= as-of date), with whether the customer churned within it: a churn event
-- (fct_churn_events) with churn_date in (snapshot_date, snapshot_date + 90 days].
-- Beside the score of the seed's current weights (health_score), the same snapshot scored
-- with the hand weights (seed health_weights.hand_weight), by the same formula as
-- fct_customer_health, so the backtest compares the two weight sets side by side after
-- `csw calibrate-health` has written fitted weights.

with

health as (

    select * from {{ ref('fct_customer_health') }}

),

churn_events as (

    select * from {{ ref('fct_churn_events') }}

),

health_weights as (

    select * from {{ ref('health_weights') }}

),

health_bands as (

    select * from {{ ref('health_bands') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

hand_weights as (

    select
        sum(case when component = 'adoption' then hand_weight else 0 end) as adoption_weight,
        sum(case when component = 'engagement' then hand_weight else 0 end) as engagement_weight,
        sum(case when component = 'support' then hand_weight else 0 end) as support_weight,
        sum(case when component = 'sentiment' then hand_weight else 0 end) as sentiment_weight,
        sum(case when component = 'financial' then hand_weight else 0 end) as financial_weight
    from health_weights

),

complete_snapshots as (

    select
        health.customer_id,
        health.month,
        health.snapshot_date,
        health.segment,
        health.health_score,
        health.health_band,
        health.coverage_pct,
        {{ dbt.dateadd('day', 90, 'health.snapshot_date') }} as outcome_window_end_date,
        -- hand-weighted score in exact tenths, as in fct_customer_health
        coalesce(cast(health.adoption_score * 10 as bigint) * hand_weights.adoption_weight, 0)
        + coalesce(cast(health.engagement_score * 10 as bigint) * hand_weights.engagement_weight, 0)
        + coalesce(cast(health.support_score * 10 as bigint) * hand_weights.support_weight, 0)
        + coalesce(cast(health.sentiment_score * 10 as bigint) * hand_weights.sentiment_weight, 0)
        + coalesce(cast(health.financial_score * 10 as bigint) * hand_weights.financial_weight, 0)
            as hand_weighted_score_tenths,
        case when health.adoption_score is null then 0 else hand_weights.adoption_weight end
        + case when health.engagement_score is null then 0 else hand_weights.engagement_weight end
        + case when health.support_score is null then 0 else hand_weights.support_weight end
        + case when health.sentiment_score is null then 0 else hand_weights.sentiment_weight end
        + case when health.financial_score is null then 0 else hand_weights.financial_weight end
            as hand_present_weight
    from health
    cross join as_of
    cross join hand_weights
    where
        health.health_score is not null
        and {{ dbt.dateadd('day', 90, 'health.snapshot_date') }} <= as_of.as_of_date

),

hand_scored as (

    select
        *,
        {{ csw_ratio('hand_weighted_score_tenths', '10 * hand_present_weight', 1) }}
            as hand_health_score
    from complete_snapshots

),

hand_banded as (

    select
        hand_scored.*,
        health_bands.health_band as hand_health_band,
        row_number() over (
            partition by hand_scored.customer_id, hand_scored.month
            order by health_bands.min_score desc
        ) as hand_band_rank
    from hand_scored
    left join health_bands
        on hand_scored.hand_health_score >= health_bands.min_score

),

first_churn_in_window as (

    select
        complete_snapshots.customer_id,
        complete_snapshots.month,
        min(churn_events.churn_date) as churn_date
    from complete_snapshots
    inner join churn_events
        on
            complete_snapshots.customer_id = churn_events.customer_id
            and complete_snapshots.snapshot_date < churn_events.churn_date
            and complete_snapshots.outcome_window_end_date >= churn_events.churn_date
    group by complete_snapshots.customer_id, complete_snapshots.month

),

final as (

    select
        {{ dbt.cast('hand_banded.customer_id', 'varchar') }} as customer_id,
        cast(hand_banded.month as date) as month,  -- noqa: RF04
        cast(hand_banded.snapshot_date as date) as snapshot_date,
        cast(hand_banded.outcome_window_end_date as date) as outcome_window_end_date,
        {{ dbt.cast('hand_banded.segment', 'varchar') }} as segment,
        cast(hand_banded.health_score as decimal(4, 1)) as health_score,
        {{ dbt.cast('hand_banded.health_band', 'varchar') }} as health_band,
        cast(hand_banded.hand_health_score as decimal(4, 1)) as hand_health_score,
        {{ dbt.cast('hand_banded.hand_health_band', 'varchar') }} as hand_health_band,
        cast(hand_banded.coverage_pct as decimal(5, 4)) as coverage_pct,
        cast(first_churn_in_window.churn_date is not null as boolean) as churned_within_90d,
        cast(first_churn_in_window.churn_date as date) as churn_date
    from hand_banded
    left join first_churn_in_window
        on
            hand_banded.customer_id = first_churn_in_window.customer_id
            and hand_banded.month = first_churn_in_window.month
    where hand_banded.hand_band_rank = 1

)

select * from final
