-- Typed, checked and deduplicated billing.exchange_rates: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: currency, rate_date.

{{ csw_base_model(
    ('billing', 'exchange_rates'), key=['currency', 'rate_date'],
    columns=[
        ('rate_date', 'date'), ('currency', 'text'), ('usd_per_unit', 'decimal(18,8)'),
    ],
    required=['usd_per_unit'],
    rules=[
        ('usd_per_unit <= 0', 'out_of_range:usd_per_unit'),
    ],
) }}
