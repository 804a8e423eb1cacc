-- Typed, checked and deduplicated billing.subscriptions: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: subscription_id.

with

source as (

    select * from {{ source('billing', 'subscriptions') }}

),

billing_accounts as (

    {#- A subscription is only counted through its billing account (int_charge_segments joins on it):
        one whose billing account is not a staged account would vanish silently, so it is quarantined
        as `orphan:billing_account_id` instead (last rule); its charges then become
        `orphan:subscription_id`. #}
    select distinct billing_account_id from {{ ref('stg_billing__accounts') }}

),

parsed as (

    select
        {{ csw_parse_text('subscription_id') }} as subscription_id,
        {{ csw_parse_text('billing_account_id') }} as billing_account_id,
        {{ csw_parse_text('status') }} as status,
        {{ csw_parse_date('started_on') }} as started_on,
        {{ csw_parse_date('canceled_on') }} as canceled_on,
        {{ csw_parse_text('cancel_reason') }} as cancel_reason,
        {{ csw_dq_parsed_columns(
            ['subscription_id'],
            checks=[('started_on', 'date'), ('canceled_on', 'date')],
            required=['status', 'started_on'],
        ) }}

    from source

),

checked as (

    select
        parsed.*,
        coalesce(
            parsed._unparseable_reason,
            case
                when {{ csw_not_accepted('parsed.status', [
                    'trialing',
                    'active',
                    'past_due',
                    'canceled',
                ]) }}
                    then 'unknown_value:status'
                when billing_accounts.billing_account_id is null then 'orphan:billing_account_id'
            end
        ) as _rule_violation

    from parsed
    left join billing_accounts
        on parsed.billing_account_id = billing_accounts.billing_account_id

),

deduplicated as (

    {{ csw_dq_status('checked', ['subscription_id']) }}

),

final as (

    select
        subscription_id,
        billing_account_id,
        status,
        started_on,
        canceled_on,
        cancel_reason,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
