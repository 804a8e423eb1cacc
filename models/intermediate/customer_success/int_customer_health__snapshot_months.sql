-- The customer months whose health snapshot this run computes (the spine the health components
-- read; ephemeral): every row of int_customer_months__customer_success_snapshot when the health
-- models are built in full (first build, --full-refresh, a table engine); in a daily run, for each
-- customer with an input fingerprint not applied yet, its months from the first month whose
-- inputs changed on, and every customer month when the scoring seeds or the health code
-- changed (int_customer_health__input_fingerprints). Every later month is recomputed because
-- a change reaches forward: the 90- and 180-day windows, days since the last touch, the score
-- change and seat utilization three months before.

{{ config(materialized='ephemeral') }}

with

customer_months as (

    select * from {{ ref('int_customer_months__customer_success_snapshot') }}

),

fingerprints as (

    select * from {{ ref('int_customer_health__input_fingerprints') }}

),

changed_inputs as (

    -- changed since the health snapshot was last rebuilt (this run's changes, and those of a
    -- run that failed before fct_customer_health marked them applied)
    select * from fingerprints
    where not _csw_is_applied

),

recompute_from as (

    select
        customer_id,
        min(month) as recompute_from_month
    from changed_inputs
    where customer_id <> '*'
    group by customer_id

),

scoring_changes as (

    select count(*) as changed_scoring_rows
    from changed_inputs
    where customer_id = '*'

),

final as (

    select
        customer_months.customer_id,
        customer_months.month,
        customer_months.snapshot_date,
        customer_months.segment,
        customer_months.mrr_usd,
        customer_months.mrr_usd_3m_ago,
        customer_months.licensed_seats
    from customer_months
    left join recompute_from
        on customer_months.customer_id = recompute_from.customer_id
    cross join scoring_changes
    where
        {{ 'true' if csw_health_recompute_all() else 'false' }}
        or scoring_changes.changed_scoring_rows > 0
        or customer_months.month >= recompute_from.recompute_from_month

)

select * from final
