-- Calibration table of the health score: for the seed's current weights and the hand
-- weights side by side, the backtest snapshots per 10-point score bin (0-9.9, 10-19.9, ...,
-- 90-100) and the share of them that churned within 90 days. A score that predicts churn
-- shows a churn rate falling as the bin rises.

with

snapshots as (

    select * from {{ ref('fct_health_backtest_snapshots') }}

),

scored as (

    select
        'current' as weight_set,
        health_score as score,
        churned_within_90d
    from snapshots
    union all
    select
        'hand' as weight_set,
        hand_health_score as score,
        churned_within_90d
    from snapshots

),

binned as (

    select
        weight_set,
        case
            when score >= 90 then 90
            else 10 * cast(floor(score / 10) as integer)
        end as score_bin_min,
        score,
        churned_within_90d
    from scored
    where score is not null

),

final as (

    select
        {{ dbt.cast('weight_set', 'varchar') }} as weight_set,
        cast(score_bin_min as integer) as score_bin_min,
        cast(count(*) as integer) as snapshots,
        cast(sum(case when churned_within_90d then 1 else 0 end) as integer)
            as churned_within_90d,
        {{ csw_fraction('sum(case when churned_within_90d then 1 else 0 end)', 'count(*)') }}
            as churn_rate,
        cast(avg(score) as decimal(4, 1)) as mean_score
    from binned
    group by weight_set, score_bin_min

)

select * from final
