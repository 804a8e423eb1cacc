-- Typed, checked and deduplicated crm.accounts: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: account_id.

{{ csw_base_model(
    ('crm', 'accounts'), key=['account_id'],
    columns=[
        ('account_id', 'text'), ('account_name', 'text'), ('industry', 'text'),
        ('employee_count', 'integer'), ('country_code', 'text'), ('owner_user_id', 'text'),
        ('created_at', 'timestamp'), ('merged_into_account_id', 'text'),
    ],
    required=['created_at'],
    rules=[
        ('employee_count < 0', 'out_of_range:employee_count'),
    ],
) }}
