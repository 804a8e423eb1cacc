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
        {{ csw_health_component_weights('hand_weight') }}
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
        -- hand-weighted score in exact tenths, the same sums as fct_customer_health's
        -- (hand_weighted_score_tenths, hand_present_weight)
        {{ csw_health_score_parts('health', 'hand_weights', prefix='hand_') }}
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

    {{ csw_health_banded(
        'hand_scored', 'hand_health_score', band_column='hand_health_band'
    ) }}

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

)

select * from final
