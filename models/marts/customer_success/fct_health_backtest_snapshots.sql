-- Every health snapshot whose 90-day outcome window is complete (snapshot_date + 90
-- days <= as-of date), with whether the customer churned within it: a churn event
-- (fct_churn_events) with churn_date in (snapshot_date, snapshot_date + 90 days].

with

health as (

    select * from {{ ref('fct_customer_health') }}

),

churn_events as (

    select * from {{ ref('fct_churn_events') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

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
        {{ dbt.dateadd('day', 90, 'health.snapshot_date') }} as outcome_window_end_date
    from health
    cross join as_of
    where
        health.health_score is not null
        and {{ dbt.dateadd('day', 90, 'health.snapshot_date') }} <= as_of.as_of_date

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
        {{ dbt.cast('complete_snapshots.customer_id', 'varchar') }} as customer_id,
        cast(complete_snapshots.month as date) as month,  -- noqa: RF04
        cast(complete_snapshots.snapshot_date as date) as snapshot_date,
        cast(complete_snapshots.outcome_window_end_date as date) as outcome_window_end_date,
        {{ dbt.cast('complete_snapshots.segment', 'varchar') }} as segment,
        cast(complete_snapshots.health_score as decimal(4, 1)) as health_score,
        {{ dbt.cast('complete_snapshots.health_band', 'varchar') }} as health_band,
        cast(complete_snapshots.coverage_pct as decimal(5, 4)) as coverage_pct,
        cast(first_churn_in_window.churn_date is not null as boolean) as churned_within_90d,
        cast(first_churn_in_window.churn_date as date) as churn_date
    from complete_snapshots
    left join first_churn_in_window
        on
            complete_snapshots.customer_id = first_churn_in_window.customer_id
            and complete_snapshots.month = first_churn_in_window.month

)

select * from final
