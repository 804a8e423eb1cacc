-- Typed, checked and deduplicated billing.subscription_charges: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: charge_id.

{#- A charge is only counted through its subscription (int_charge_segments joins on it): a charge
    whose subscription is not a staged subscription would vanish silently, so it is quarantined as
    `orphan:subscription_id` instead (last rule, after the row's own checks). #}

{{ csw_base_model(
    ('billing', 'subscription_charges'), key=['charge_id'],
    columns=[
        ('charge_id', 'text'), ('subscription_id', 'text'), ('product_id', 'text'),
        ('charge_type', 'text'), ('billing_period', 'text'), ('unit_price', 'decimal(18,4)'),
        ('quantity', 'integer'), ('discount_percent', 'decimal(5,2)'), ('effective_from', 'date'),
        ('effective_to', 'date'), ('is_trial', 'boolean'),
    ],
    required=[
        'product_id', 'charge_type', 'billing_period', 'unit_price', 'quantity', 'discount_percent',
        'effective_from', 'is_trial',
    ],
    rules=[
        csw_rule_accepted('charge_type', ['recurring', 'one_time', 'usage']),
        csw_rule_accepted('billing_period', ['month', 'quarter', 'year']),
        ('unit_price < 0', 'out_of_range:unit_price'),
        ('quantity < 0', 'out_of_range:quantity'),
        ('discount_percent < 0 or discount_percent > 100', 'out_of_range:discount_percent'),
        ('effective_to < effective_from', 'invalid_range:effective_to'),
        csw_rule_orphan('subscription_id', 'subscriptions', ref('stg_billing__subscriptions')),
    ],
) }}
