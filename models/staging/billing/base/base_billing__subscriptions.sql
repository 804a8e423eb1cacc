-- Typed, checked and deduplicated billing.subscriptions: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: subscription_id.

{#- A subscription is only counted through its billing account (int_charge_segments joins on it):
    one whose billing account is not a staged account would vanish silently, so it is quarantined
    as `orphan:billing_account_id` instead (last rule); its charges then become
    `orphan:subscription_id`. #}

{{ csw_base_model(
    ('billing', 'subscriptions'), key=['subscription_id'],
    columns=[
        ('subscription_id', 'text'), ('billing_account_id', 'text'), ('status', 'text'),
        ('started_on', 'date'), ('canceled_on', 'date'), ('cancel_reason', 'text'),
    ],
    required=['status', 'started_on'],
    rules=[
        csw_rule_accepted('status', ['trialing', 'active', 'past_due', 'canceled']),
        csw_rule_orphan('billing_account_id', 'billing_accounts', ref('stg_billing__accounts')),
    ],
) }}
