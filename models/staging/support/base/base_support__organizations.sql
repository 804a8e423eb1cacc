-- Typed, checked and deduplicated support.organizations: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: organization_id.

{{ csw_base_model(
    ('support', 'organizations'), key=['organization_id'],
    columns=[
        ('organization_id', 'text'), ('crm_account_id', 'text'), ('organization_name', 'text'),
    ],
) }}
