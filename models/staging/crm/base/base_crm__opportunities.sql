-- Typed, checked and deduplicated crm.opportunities: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: opportunity_id.

{{ csw_base_model(
    ('crm', 'opportunities'), key=['opportunity_id'],
    columns=[
        ('opportunity_id', 'text'), ('account_id', 'text'), ('opportunity_type', 'text'),
        ('stage', 'text'), ('amount', 'decimal(18,2)'), ('currency', 'text'),
        ('close_date', 'date'), ('loss_reason', 'text'),
    ],
    required=['account_id', 'opportunity_type', 'stage', 'close_date'],
    rules=[
        csw_rule_accepted('opportunity_type', ['new_business', 'renewal', 'upsell', 'cross_sell']),
        csw_rule_accepted('stage', ['open', 'closed_won', 'closed_lost']),
    ],
) }}
