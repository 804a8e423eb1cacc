-- One row: how well the health score predicts churn within 90 days. ROC AUC by the
-- rank-sum (Mann-Whitney U) formula, the probability that a snapshot that did NOT churn
-- scores higher than one that did (ties count one half):
--   ranks = ascending average ranks of health_score over all snapshots (ties averaged);
--   AUC = (R_retained - n_retained * (n_retained + 1) / 2) / (n_retained * n_churned),
-- computed on doubled ranks so every step before the final division is an integer.
-- 0.5 = no better than chance, 1.0 = perfect. NULL when either class is empty.

with

snapshots as (

    select * from {{ ref('fct_health_backtest_snapshots') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

score_groups as (

    select
        health_score,
        count(*) as snapshots,
        sum(case when churned_within_90d then 0 else 1 end) as retained,
        sum(case when churned_within_90d then 1 else 0 end) as churned
    from snapshots
    group by health_score

),

ranked_groups as (

    -- doubled average rank of the tied group = 2 * (snapshots below) + (group size + 1)
    select
        health_score,
        snapshots,
        retained,
        churned,
        2 * (
            coalesce(
                sum(snapshots) over (
                    order by health_score
                    rows between unbounded preceding and 1 preceding
                ),
                0
            )
        )
        + snapshots + 1 as doubled_average_rank
    from score_groups

),

totals as (

    select
        sum(snapshots) as snapshots,
        sum(retained) as retained,
        sum(churned) as churned,
        sum(retained * doubled_average_rank) as doubled_rank_sum_retained
    from ranked_groups

),

snapshot_months as (

    select
        min(month) as first_snapshot_month,
        max(month) as last_snapshot_month
    from snapshots

),

final as (

    select
        cast(as_of.as_of_date as date) as as_of_date,
        cast(snapshot_months.first_snapshot_month as date) as first_snapshot_month,
        cast(snapshot_months.last_snapshot_month as date) as last_snapshot_month,
        cast(coalesce(totals.snapshots, 0) as integer) as snapshots,
        cast(coalesce(totals.churned, 0) as integer) as churned_within_90d,
        cast({{ csw_ratio('totals.churned', 'totals.snapshots', 4) }} as decimal(5, 4))
            as churn_rate,
        cast(
            {{ csw_ratio(
                'totals.doubled_rank_sum_retained - totals.retained * (totals.retained + 1)',
                '2 * totals.retained * totals.churned',
                4
            ) }}
            as decimal(5, 4)
        ) as roc_auc
    from as_of
    cross join totals
    cross join snapshot_months

)

select * from final
