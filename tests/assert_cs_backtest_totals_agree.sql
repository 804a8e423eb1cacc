-- The per-band backtest adds up to the summary row and to the snapshot model.

with

bands as (

    select
        sum(snapshots) as snapshots,
        sum(churned_within_90d) as churned_within_90d
    from {{ ref('agg_health_backtest') }}

),

summary as (

    select * from {{ ref('agg_health_backtest_summary') }}

),

snapshots as (

    select
        count(*) as snapshots,
        sum(case when churned_within_90d then 1 else 0 end) as churned_within_90d
    from {{ ref('fct_health_backtest_snapshots') }}

)

select
    bands.snapshots as band_snapshots,
    summary.snapshots as summary_snapshots,
    snapshots.snapshots as model_snapshots
from bands
cross join summary
cross join snapshots
where
    bands.snapshots <> summary.snapshots
    or bands.snapshots <> snapshots.snapshots
    or bands.churned_within_90d <> summary.churned_within_90d
    or coalesce(bands.churned_within_90d, 0) <> coalesce(snapshots.churned_within_90d, 0)
