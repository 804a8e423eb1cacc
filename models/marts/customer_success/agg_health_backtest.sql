-- Churn backtest per health band: snapshots with a complete 90-day outcome window,
-- how many of them churned within 90 days, and the churn rate (rounded half away from
-- zero to 4 decimals; NULL for a band without snapshots). The hand_ columns are the same
-- for the bands of the hand-weighted score (fct_health_backtest_snapshots), side by side.

with

snapshots as (

    select * from {{ ref('fct_health_backtest_snapshots') }}

),

health_bands as (

    select * from {{ ref('health_bands') }}

),

band_counts as (

    select
        health_band,
        count(*) as snapshots,
        sum(case when churned_within_90d then 1 else 0 end) as churned_within_90d,
        min(health_score) as min_health_score,
        max(health_score) as max_health_score
    from snapshots
    group by health_band

),

hand_band_counts as (

    select
        hand_health_band,
        count(*) as snapshots,
        sum(case when churned_within_90d then 1 else 0 end) as churned_within_90d
    from snapshots
    group by hand_health_band

),

final as (

    select
        {{ dbt.cast('health_bands.health_band', 'varchar') }} as health_band,
        cast(health_bands.band_order as integer) as band_order,
        cast(health_bands.min_score as integer) as band_min_score,
        cast(coalesce(band_counts.snapshots, 0) as integer) as snapshots,
        cast(coalesce(band_counts.churned_within_90d, 0) as integer) as churned_within_90d,
        {{ csw_fraction('band_counts.churned_within_90d', 'band_counts.snapshots') }} as churn_rate,
        cast(band_counts.min_health_score as decimal(4, 1)) as min_health_score,
        cast(band_counts.max_health_score as decimal(4, 1)) as max_health_score,
        cast(coalesce(hand_band_counts.snapshots, 0) as integer) as hand_snapshots,
        cast(coalesce(hand_band_counts.churned_within_90d, 0) as integer)
            as hand_churned_within_90d,
        {{ csw_fraction('hand_band_counts.churned_within_90d', 'hand_band_counts.snapshots') }}
            as hand_churn_rate
    from health_bands
    left join band_counts
        on health_bands.health_band = band_counts.health_band
    left join hand_band_counts
        on health_bands.health_band = hand_band_counts.hand_health_band

)

select * from final
