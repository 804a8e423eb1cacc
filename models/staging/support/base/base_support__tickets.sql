-- Typed, checked and deduplicated support.tickets: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: ticket_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).

{{ csw_base_model(
    ('support', 'tickets'), key=['ticket_id'], incremental=true,
    columns=[
        ('ticket_id', 'text'), ('organization_id', 'text'), ('requester_email', 'email'),
        ('channel', 'text'), ('priority', 'text'), ('status', 'text'), ('subject', 'text'),
        ('created_at', 'timestamp'),
    ],
    required=['channel', 'priority', 'status', 'created_at'],
    rules=[
        csw_rule_accepted('channel', ['email', 'web', 'chat', 'phone']),
        csw_rule_accepted('priority', ['low', 'normal', 'high', 'urgent']),
        csw_rule_accepted('status', ['new', 'open', 'pending', 'solved', 'closed']),
    ],
) }}
