-- Typed, checked and deduplicated billing.invoices: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: invoice_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).

{{ csw_base_model(
    ('billing', 'invoices'), key=['invoice_id'], incremental=true,
    columns=[
        ('invoice_id', 'text'), ('billing_account_id', 'text'), ('subscription_id', 'text'),
        ('issued_on', 'date'), ('due_on', 'date'), ('subtotal', 'decimal(18,2)'),
        ('tax_amount', 'decimal(18,2)'), ('status', 'text'), ('paid_at', 'timestamp'),
    ],
    required=['billing_account_id', 'issued_on', 'subtotal', 'status'],
    rules=[
        csw_rule_accepted('status', ['paid', 'open', 'void', 'uncollectible']),
    ],
) }}
