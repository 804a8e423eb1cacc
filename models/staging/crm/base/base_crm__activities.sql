-- Typed, checked and deduplicated crm.activities: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: activity_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).

{{ csw_base_model(
    ('crm', 'activities'), key=['activity_id'], incremental=true,
    columns=[
        ('activity_id', 'text'), ('account_id', 'text'), ('contact_id', 'text'),
        ('user_id', 'text'), ('activity_type', 'text'), ('occurred_at', 'timestamp'),
        ('subject', 'text'),
    ],
    required=['account_id', 'activity_type', 'occurred_at'],
    rules=[
        csw_rule_accepted('activity_type', [
            'meeting',
            'call',
            'qbr',
            'onsite_visit',
            'email',
            'webinar',
            'training',
            'in_app_message',
            'automated_email',
            'community_post',
            'community_event',
        ]),
    ],
) }}
