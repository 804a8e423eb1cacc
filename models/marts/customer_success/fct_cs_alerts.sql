-- The alerts of the as-of month (metrics.md "Customer-success workflow"): one row per
-- customer with MRR in the as-of month and alert type that fires. Thresholds, windows,
-- severities and evidence texts come from seed cs_alert_rules; the recommended action for
-- the customer's expected touch model (by its segment in the as-of month) from seed
-- cs_alert_actions. "The 30 days up to the as-of date" = dates in (as_of - 30, as_of].
--   health_turned_red  red now, not red (or no snapshot) the month before
--   usage_drop         seat utilization <= (1 - threshold %) of three months earlier
--   detractor          an attributed NPS answer <= threshold score in the window
--   sla_breach         a ticket whose first-reply or resolution target passed unmet in the
--                      window, or that is still waiting past a target at the as-of date
--   payment_failed     a failed payment in the window with no later successful payment of
--                      the same invoice up to the as-of date
--   renewal_at_risk    a renewal (fct_renewals) within the window while yellow or red
--   under_served       no touchpoint of the expected model or higher in 90 days
-- Each alert type's CTE keeps its candidate rows; `fired` states them all in one shape
-- (alert_types below: the evidence value and up to three texts for the seed's templates,
-- NULL where a type has fewer).

{%- set alert_types = [
    {'alert_type': 'health_turned_red', 'evidence': 'health_score',
     'texts': ['health_score', 'previous_health_score_text']},
    {'alert_type': 'usage_drop', 'evidence': 'seat_utilization',
     'texts': ['utilization_pct', 'utilization_3m_ago_pct']},
    {'alert_type': 'detractor', 'from': 'detractor_answers', 'where': 'recency_rank = 1',
     'evidence': 'score', 'texts': ['score', 'submitted_date']},
    {'alert_type': 'sla_breach', 'evidence': 'breached_tickets', 'texts': ['breached_tickets']},
    {'alert_type': 'payment_failed', 'evidence': 'failed_payments', 'texts': ['failed_payments']},
    {'alert_type': 'renewal_at_risk', 'from': 'renewals_at_risk', 'where': 'renewal_rank = 1',
     'evidence': 'health_score', 'texts': ['next_renewal_date', 'health_score', 'health_band']},
    {'alert_type': 'under_served', 'evidence': 'days_since_expected_touch',
     'texts': ['days_since_expected_touch_text']},
] %}

with

health as (

    select * from {{ ref('fct_customer_health') }}

),

nps_responses as (

    select * from {{ ref('fct_nps_responses') }}

),

tickets as (

    select * from {{ ref('fct_support_tickets') }}

),

payments as (

    select * from {{ ref('int_payments__attributed') }}

),

renewals as (

    select * from {{ ref('fct_renewals') }}

),

touch_months as (

    select * from {{ ref('int_touchpoints__customer_monthly') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

expected_touch_by_segment as (

    select * from {{ ref('expected_touch_by_segment') }}

),

alert_rules as (

    select * from {{ ref('cs_alert_rules') }}

),

alert_actions as (

    select * from {{ ref('cs_alert_actions') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

thresholds as (

    select
        max(case when alert_type = 'usage_drop' then threshold_value end) as usage_drop_pct,
        max(case when alert_type = 'detractor' then threshold_value end) as detractor_max_score,
        max(case when alert_type = 'detractor' then window_days end) as detractor_days,
        max(case when alert_type = 'sla_breach' then window_days end) as sla_breach_days,
        max(case when alert_type = 'payment_failed' then window_days end) as payment_days,
        max(case when alert_type = 'renewal_at_risk' then window_days end) as renewal_days
    from alert_rules

),

window_bounds as (

    -- the SLA window's start, the renewal horizon and the end of the as-of day (exclusive);
    -- the day windows of detractor and payment_failed: csw_in_days_up_to
    select
        as_of.as_of_date,
        as_of.as_of_month,
        thresholds.*,
        cast(
            {{ dbt.dateadd('day', '1 - thresholds.sla_breach_days', 'as_of.as_of_date') }}
            as {{ dbt.type_timestamp() }}
        ) as sla_window_start_at,
        {{ dbt.dateadd('day', 'thresholds.renewal_days', 'as_of.as_of_date') }}
            as renewal_until_date,
        cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as {{ dbt.type_timestamp() }})
            as as_of_end_at
    from as_of
    cross join thresholds

),

as_of_health as (

    -- the customers the alerts are about: those with MRR (a snapshot) in the as-of month
    select
        health.*,
        previous_month.health_score as previous_health_score,
        previous_month.health_band as previous_health_band
    from health
    inner join window_bounds
        on health.month = window_bounds.as_of_month
    left join health as previous_month
        on
            health.customer_id = previous_month.customer_id
            and previous_month.month = {{ dbt.dateadd('month', -1, 'health.month') }}

),

health_turned_red as (

    select
        customer_id,
        health_score,
        coalesce({{ dbt.cast('previous_health_score', 'varchar') }}, '-')
            as previous_health_score_text
    from as_of_health
    where health_band = 'red' and coalesce(previous_health_band, '') != 'red'

),

usage_drop as (

    -- utilization now <= (100 - threshold)% of three months earlier
    select
        as_of_health.customer_id,
        as_of_health.seat_utilization,
        cast(round(100 * as_of_health.seat_utilization, 0) as integer) as utilization_pct,
        cast(round(100 * as_of_health.seat_utilization_3m_ago, 0) as integer)
            as utilization_3m_ago_pct
    from as_of_health
    cross join window_bounds
    where
        as_of_health.seat_utilization_3m_ago > 0
        and 100 * as_of_health.seat_utilization
        <= (100 - window_bounds.usage_drop_pct) * as_of_health.seat_utilization_3m_ago

),

detractor_answers as (

    select
        nps_responses.customer_id,
        nps_responses.score,
        cast(nps_responses.submitted_at as date) as submitted_date,
        row_number() over (
            partition by nps_responses.customer_id
            order by nps_responses.submitted_at desc, nps_responses.response_id desc
        ) as recency_rank
    from nps_responses
    cross join window_bounds
    where
        nps_responses.customer_id is not null
        and nps_responses.score <= window_bounds.detractor_max_score
        and {{ csw_in_days_up_to(
            'cast(nps_responses.submitted_at as date)',
            'window_bounds.detractor_days',
            'window_bounds.as_of_date',
        ) }}

),

breached_tickets as (

    select
        tickets.customer_id,
        tickets.ticket_id
    from tickets
    cross join window_bounds
    where
        tickets.customer_id is not null
        and tickets.created_at < window_bounds.as_of_end_at
        and (
            -- a target (first reply, resolution: its due time, the time it was met) passed
            -- unmet in the window, or the ticket still waits past it
            {%- for due_at, met_at in [
                ('first_reply_due_at', 'first_reply_at'), ('resolution_due_at', 'solved_at')
            ] %}
            {{ 'or ' if not loop.first }}(
                tickets.{{ due_at }} < window_bounds.as_of_end_at
                and coalesce(tickets.{{ met_at }} > tickets.{{ due_at }}, true)
                and (
                    tickets.{{ due_at }} >= window_bounds.sla_window_start_at
                    or coalesce(tickets.{{ met_at }} >= window_bounds.as_of_end_at, true)
                )
            )
            {%- endfor %}
        )

),

sla_breach as (

    select
        customer_id,
        count(*) as breached_tickets
    from breached_tickets
    group by customer_id

),

failures_in_window as (

    select
        failed.customer_id,
        failed.payment_id,
        failed.invoice_id,
        failed.attempted_at,
        window_bounds.as_of_end_at
    from payments as failed
    cross join window_bounds
    where
        failed.outcome = 'failed'
        and {{ csw_in_days_up_to(
            'cast(failed.attempted_at as date)', 'window_bounds.payment_days', 'window_bounds.as_of_date'
        ) }}

),

unrecovered_failures as (

    -- no later successful payment of the same invoice by the end of the as-of day
    -- (a left join rather than a correlated subquery: portable to Spark)
    select
        failures_in_window.customer_id,
        failures_in_window.payment_id
    from failures_in_window
    left join payments as recovered
        on
            failures_in_window.invoice_id = recovered.invoice_id
            and recovered.outcome = 'succeeded'
            and failures_in_window.attempted_at < recovered.attempted_at
            and failures_in_window.as_of_end_at > recovered.attempted_at
    group by failures_in_window.customer_id, failures_in_window.payment_id
    having count(recovered.payment_id) = 0

),

payment_failed as (

    select
        customer_id,
        count(*) as failed_payments
    from unrecovered_failures
    group by customer_id

),

renewals_at_risk as (

    select
        renewals.customer_id,
        renewals.next_renewal_date,
        renewals.health_score,
        renewals.health_band,
        row_number() over (
            partition by renewals.customer_id
            order by renewals.next_renewal_date, renewals.subscription_id
        ) as renewal_rank
    from renewals
    cross join window_bounds
    where
        renewals.health_band in ('yellow', 'red')
        and renewals.next_renewal_date <= window_bounds.renewal_until_date

),

under_served as (

    select
        touch_months.customer_id,
        touch_months.days_since_expected_touch,
        coalesce({{ dbt.cast('touch_months.days_since_expected_touch', 'varchar') }}, '-')
            as days_since_expected_touch_text
    from touch_months
    cross join window_bounds
    where
        touch_months.month = window_bounds.as_of_month
        and touch_months.is_under_served

),

fired as (

    {%- for alert in alert_types %}
    {%- set texts = alert.texts + ['null'] * (3 - alert.texts | length) %}

    select
        customer_id,
        '{{ alert.alert_type }}' as alert_type,
        cast({{ alert.evidence }} as decimal(18, 4)) as evidence_value,
        {{ dbt.cast(texts[0], 'varchar') }} as v1,
        {{ dbt.cast(texts[1], 'varchar') }} as v2,
        {{ dbt.cast(texts[2], 'varchar') }} as v3
    from {{ alert.get('from', alert.alert_type) }}
    {%- if alert.where %}
    where {{ alert.where }}
    {%- endif %}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

enriched as (

    select
        fired.*,
        as_of_health.mrr_usd,
        as_of_health.segment,
        as_of_health.health_score,
        as_of_health.health_band,
        as_of_health.main_risk_driver,
        customers.customer_name,
        customers.csm_user_id,
        expected_touch_by_segment.expected_touch_model,
        alert_rules.severity,
        alert_rules.severity_rank,
        alert_rules.label_en,
        alert_rules.label_ja,
        alert_rules.evidence_en,
        alert_rules.evidence_ja,
        alert_actions.action_en,
        alert_actions.action_ja
    from fired
    inner join as_of_health
        on fired.customer_id = as_of_health.customer_id
    left join customers
        on fired.customer_id = customers.customer_id
    left join expected_touch_by_segment
        on as_of_health.segment = expected_touch_by_segment.segment
    inner join alert_rules
        on fired.alert_type = alert_rules.alert_type
    left join alert_actions
        on
            fired.alert_type = alert_actions.alert_type
            and expected_touch_by_segment.expected_touch_model = alert_actions.touch_model

),

final as (

    select
        {{ dbt.cast('enriched.customer_id', 'varchar') }} as customer_id,
        {{ dbt.cast('enriched.alert_type', 'varchar') }} as alert_type,
        {{ dbt.cast('enriched.severity', 'varchar') }} as severity,
        cast(enriched.severity_rank as integer) as severity_rank,
        cast(window_bounds.as_of_date as date) as as_of_date,
        cast(window_bounds.as_of_month as date) as month,  -- noqa: RF04
        {{ dbt.cast('enriched.customer_name', 'varchar') }} as customer_name,
        {{ dbt.cast('enriched.segment', 'varchar') }} as segment,
        {{ dbt.cast('enriched.csm_user_id', 'varchar') }} as csm_user_id,
        cast(enriched.mrr_usd as decimal(18, 2)) as mrr_at_stake_usd,
        cast(enriched.health_score as decimal(4, 1)) as health_score,
        {{ dbt.cast('enriched.health_band', 'varchar') }} as health_band,
        {{ dbt.cast('enriched.main_risk_driver', 'varchar') }} as main_risk_driver,
        {{ dbt.cast('enriched.expected_touch_model', 'varchar') }} as expected_touch_model,
        cast(enriched.evidence_value as decimal(18, 4)) as evidence_value,
        {{ dbt.cast(csw_fill_template('enriched.evidence_en', ['enriched.v1', 'enriched.v2', 'enriched.v3']), 'varchar') }}  -- noqa: LT05
            as evidence,
        {{ dbt.cast(csw_fill_template('enriched.evidence_ja', ['enriched.v1', 'enriched.v2', 'enriched.v3']), 'varchar') }}  -- noqa: LT05
            as evidence_ja,
        {{ dbt.cast('enriched.label_en', 'varchar') }} as alert_label_en,
        {{ dbt.cast('enriched.label_ja', 'varchar') }} as alert_label_ja,
        {{ dbt.cast('enriched.action_en', 'varchar') }} as recommended_action_en,
        {{ dbt.cast('enriched.action_ja', 'varchar') }} as recommended_action_ja
    from enriched
    cross join window_bounds

)

select * from final
