-- What the health snapshot of a customer and month is computed from, as fingerprints, so that a
-- daily run recomputes only the customer months whose inputs changed (DECISIONS.md, "Health
-- snapshots: recompute from the first changed month"). One row per customer, month and input:
--   spine     the snapshot row itself (segment, MRR, MRR 3 months ago, seats, snapshot date)
--   usage     the product usage aggregate of the customer's CRM accounts in the month
--   tickets   the support tickets created in the month (times, due times)
--   ratings   every satisfaction rating of those tickets, in the month the ticket was created
--             (a snapshot counts the latest rating given by its time, not only the latest one)
--   nps       the NPS answers submitted in the month
--   payments  the failed payment attempts in the month
--   touch     the days since the last touch at the snapshot date
-- and one row (customer_id '*') for the scoring seeds and the code of the health models.
-- Inputs are fingerprinted after customer resolution, so a merge or a changed attribution
-- changes the fingerprints of both customers. Incremental: a run writes the rows whose
-- fingerprint changed, not applied yet, stamped with the run; a key whose input vanished gets a
-- NULL fingerprint. fct_customer_health's post-hook marks them applied once the snapshot is
-- rebuilt, so a run that fails in between leaves them for the next run.

{{ config(
    materialized=csw_incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['customer_id', 'month', 'input_name'],
) }}

with

customer_months as (

    select * from {{ ref('int_customer_months__customer_success_snapshot') }}

),

usage_months as (

    select * from {{ ref('int_workspace_usage__account_month') }}

),

crm_accounts as (

    -- every known CRM account and the surviving account (= customer_id) it counts as
    select * from {{ ref('int_crm_accounts__merge_resolved') }}

),

tickets as (

    select * from {{ ref('int_support_tickets__sla') }}

),

satisfaction_ratings as (

    select * from {{ ref('stg_support__satisfaction_ratings') }}

),

responses as (

    select * from {{ ref('int_survey_responses__attributed') }}

),

payments as (

    select * from {{ ref('int_payments__attributed') }}

),

touch_months as (

    select * from {{ ref('int_touchpoints__customer_monthly') }}

),

health_weights as (

    select * from {{ ref('health_weights') }}

),

health_bands as (

    select * from {{ ref('health_bands') }}

),

health_risk_reasons as (

    select * from {{ ref('health_risk_reasons') }}

),

fingerprinted_rows as (

    select
        customer_id,
        month,
        'spine' as input_name,
        {{ csw_row_fingerprint([
            'segment', 'mrr_usd', 'mrr_usd_3m_ago', 'licensed_seats', 'snapshot_date',
        ]) }} as row_fingerprint
    from customer_months

    union all

    select
        crm_accounts.surviving_account_id as customer_id,
        cast(usage_months.usage_month as date) as month,  -- noqa: RF04
        'usage' as input_name,
        {{ csw_row_fingerprint([
            'usage_months.crm_account_id', 'usage_months.active_user_days',
            'usage_months.first_usage_date',
        ]) }} as row_fingerprint
    from usage_months
    inner join crm_accounts
        on usage_months.crm_account_id = crm_accounts.account_id

    union all

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month,  -- noqa: RF04
        'tickets' as input_name,
        {{ csw_row_fingerprint([
            'ticket_id', 'created_at', 'escalated_at', 'first_reply_at', 'first_reply_due_at',
            'solved_at', 'resolution_due_at',
        ]) }} as row_fingerprint
    from tickets
    where customer_id is not null

    union all

    select
        tickets.customer_id,
        cast({{ dbt.date_trunc('month', 'tickets.created_at') }} as date) as month,  -- noqa: RF04
        'ratings' as input_name,
        {{ csw_row_fingerprint([
            'satisfaction_ratings.rating_id', 'satisfaction_ratings.ticket_id',
            'satisfaction_ratings.created_at', 'satisfaction_ratings.score',
        ]) }} as row_fingerprint
    from satisfaction_ratings
    inner join tickets
        on satisfaction_ratings.ticket_id = tickets.ticket_id
    where tickets.customer_id is not null

    union all

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'submitted_at') }} as date) as month,  -- noqa: RF04
        'nps' as input_name,
        {{ csw_row_fingerprint(['response_id', 'submitted_at', 'score']) }} as row_fingerprint
    from responses
    where survey_type = 'nps' and customer_id is not null

    union all

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'attempted_at') }} as date) as month,  -- noqa: RF04
        'payments' as input_name,
        {{ csw_row_fingerprint(['payment_id', 'attempted_at']) }} as row_fingerprint
    from payments
    where outcome = 'failed'

    union all

    select
        customer_id,
        month,
        'touch' as input_name,
        {{ csw_row_fingerprint(['days_since_last_touch']) }} as row_fingerprint
    from touch_months

    union all

    {%- for seed, columns in [
        ('health_weights', ['component', 'weight']),
        ('health_bands', ['health_band', 'min_score', 'band_order']),
        ('health_risk_reasons', ['reason_key', 'component', 'reason_en', 'reason_ja']),
    ] %}

    select
        '*' as customer_id,
        cast('1900-01-01' as date) as month,  -- noqa: RF04
        'scoring' as input_name,
        {{ csw_row_fingerprint(
            ["'" ~ seed ~ "'", "'" ~ csw_health_code_md5() ~ "'"] + columns
        ) }} as row_fingerprint
    from {{ seed }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

fingerprints as (

    select
        {{ dbt.cast('customer_id', 'varchar') }} as customer_id,
        cast(month as date) as month,  -- noqa: RF04
        {{ dbt.cast('input_name', 'varchar') }} as input_name,
        cast(sum(row_fingerprint) as decimal(38, 0)) as fingerprint
    from fingerprinted_rows
    group by customer_id, month, input_name

),

{% if is_incremental() %}

changed as (

    -- new, changed and vanished keys; a vanished key keeps a NULL fingerprint, so it is not
    -- changed again on the next run
    select
        coalesce(fingerprints.customer_id, built.customer_id) as customer_id,
        coalesce(fingerprints.month, built.month) as month,  -- noqa: RF04
        coalesce(fingerprints.input_name, built.input_name) as input_name,
        fingerprints.fingerprint
    from fingerprints
    full outer join {{ this }} as built
        on
            fingerprints.customer_id = built.customer_id
            and fingerprints.month = built.month
            and fingerprints.input_name = built.input_name
    where
        (fingerprints.fingerprint is null and built.fingerprint is not null)
        or (fingerprints.fingerprint is not null and built.fingerprint is null)
        or fingerprints.fingerprint <> built.fingerprint

),

{% else %}

changed as (

    select * from fingerprints

),

{% endif %}

final as (

    select
        customer_id,
        month,
        input_name,
        fingerprint,
        false as _csw_is_applied,
        {{ csw_incremental_stamp() }}
    from changed

)

select * from final
