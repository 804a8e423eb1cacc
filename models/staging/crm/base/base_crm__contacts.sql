-- Typed, checked and deduplicated crm.contacts: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: contact_id.

{{ csw_base_model(
    ('crm', 'contacts'), key=['contact_id'],
    columns=[
        ('contact_id', 'text'), ('account_id', 'text'), ('email', 'email'), ('full_name', 'text'),
        ('title', 'text'), ('created_at', 'timestamp'),
    ],
    required=['account_id'],
) }}
