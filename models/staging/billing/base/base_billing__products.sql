-- Typed, checked and deduplicated billing.products: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: product_id.

{{ csw_base_model(
    ('billing', 'products'), key=['product_id'],
    columns=[
        ('product_id', 'text'), ('product_name', 'text'), ('product_line', 'text'),
    ],
    required=['product_line'],
) }}
