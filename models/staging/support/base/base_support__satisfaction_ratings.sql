-- Typed, checked and deduplicated support.satisfaction_ratings: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: rating_id.

{{ csw_base_model(
    ('support', 'satisfaction_ratings'), key=['rating_id'],
    columns=[
        ('rating_id', 'text'), ('ticket_id', 'text'), ('score', 'text'), ('comment', 'text'),
        ('created_at', 'timestamp'),
    ],
    required=['ticket_id', 'score', 'created_at'],
    rules=[
        csw_rule_accepted('score', ['good', 'bad']),
    ],
) }}
