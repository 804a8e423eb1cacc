-- Typed, checked and deduplicated support.ticket_events: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: event_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).
-- Every row it writes is stamped with the run (_csw_invocation_id, _csw_built_at).

{{ csw_base_model(
    ('support', 'ticket_events'), key=['event_id'], incremental=true,
    columns=[
        ('event_id', 'text'), ('ticket_id', 'text'), ('created_at', 'timestamp'),
        ('actor_type', 'text'), ('event_type', 'text'), ('is_public', 'boolean'),
        ('new_value', 'text'),
    ],
    required=['ticket_id', 'created_at', 'actor_type', 'event_type'],
    rules=[
        csw_rule_accepted('actor_type', ['agent', 'end_user', 'system']),
        csw_rule_accepted('event_type', [
            'comment',
            'status_change',
            'priority_change',
            'group_change',
        ]),
    ],
) }}
