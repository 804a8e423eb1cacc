-- Typed, checked and deduplicated billing.payments: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: payment_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).

{{ csw_base_model(
    ('billing', 'payments'), key=['payment_id'], incremental=true,
    columns=[
        ('payment_id', 'text'), ('invoice_id', 'text'), ('attempted_at', 'timestamp'),
        ('amount', 'decimal(18,2)'), ('outcome', 'text'), ('failure_code', 'text'),
    ],
    required=['invoice_id', 'attempted_at', 'amount', 'outcome'],
    rules=[
        csw_rule_accepted('outcome', ['succeeded', 'failed']),
    ],
) }}
