-- One row: how well the health score predicts churn within 90 days. ROC AUC by the
-- rank-sum (Mann-Whitney U) formula, the probability that a snapshot that did NOT churn
-- scores higher than one that did (ties count one half):
--   ranks = ascending average ranks of health_score over all snapshots (ties averaged);
--   AUC = (R_retained - n_retained * (n_retained + 1) / 2) / (n_retained * n_churned),
-- computed on doubled ranks so every step before the final division is an integer.
-- 0.5 = no better than chance, 1.0 = perfect. NULL when either class is empty.
-- roc_auc is the score of the seed's current weights; hand_roc_auc the same snapshots
-- scored with the hand weights (fct_health_backtest_snapshots.hand_health_score).

{%- set scores = [('health_score', 'current'), ('hand_health_score', 'hand')] %}

with

snapshots as (

    select * from {{ ref('fct_health_backtest_snapshots') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),
{% for score_column, weight_set in scores %}

{{ weight_set }}_score_groups as (

    select
        {{ score_column }} as score,
        count(*) as snapshots,
        sum(case when churned_within_90d then 0 else 1 end) as retained,
        sum(case when churned_within_90d then 1 else 0 end) as churned
    from snapshots
    group by {{ score_column }}

),

{{ weight_set }}_ranked_groups as (

    -- doubled average rank of the tied group = 2 * (snapshots below) + (group size + 1)
    select
        score,
        snapshots,
        retained,
        churned,
        2 * (
            coalesce(
                sum(snapshots) over (
                    order by score
                    rows between unbounded preceding and 1 preceding
                ),
                0
            )
        )
        + snapshots + 1 as doubled_average_rank
    from {{ weight_set }}_score_groups

),

{{ weight_set }}_totals as (

    select
        sum(snapshots) as snapshots,
        sum(retained) as retained,
        sum(churned) as churned,
        sum(retained * doubled_average_rank) as doubled_rank_sum_retained
    from {{ weight_set }}_ranked_groups

),
{% endfor %}

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
        cast(coalesce(current_totals.snapshots, 0) as integer) as snapshots,
        cast(coalesce(current_totals.churned, 0) as integer) as churned_within_90d,
        {{ csw_fraction('current_totals.churned', 'current_totals.snapshots') }} as churn_rate,
        {{ csw_fraction(
            'current_totals.doubled_rank_sum_retained'
            ~ ' - current_totals.retained * (current_totals.retained + 1)',
            '2 * current_totals.retained * current_totals.churned'
        ) }} as roc_auc,
        {{ csw_fraction(
            'hand_totals.doubled_rank_sum_retained'
            ~ ' - hand_totals.retained * (hand_totals.retained + 1)',
            '2 * hand_totals.retained * hand_totals.churned'
        ) }} as hand_roc_auc
    from as_of
    cross join current_totals
    cross join hand_totals
    cross join snapshot_months

)

select * from final
