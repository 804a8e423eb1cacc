-- Typed, checked and deduplicated billing.accounts: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: billing_account_id.

{{ csw_base_model(
    ('billing', 'accounts'), key=['billing_account_id'],
    columns=[
        ('billing_account_id', 'text'), ('crm_account_id', 'text'), ('currency', 'text'),
        ('created_at', 'timestamp'),
    ],
    required=['currency', 'created_at'],
) }}
