-- Typed, checked and deduplicated crm.users: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: user_id.

{{ csw_base_model(
    ('crm', 'users'), key=['user_id'],
    columns=[
        ('user_id', 'text'), ('full_name', 'text'), ('email', 'email'), ('role', 'text'),
        ('is_active', 'boolean'),
    ],
    required=['role'],
    rules=[
        csw_rule_accepted('role', ['csm', 'account_manager', 'support', 'sales']),
    ],
) }}
