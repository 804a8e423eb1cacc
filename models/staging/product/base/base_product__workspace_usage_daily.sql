-- Typed, checked and deduplicated product.workspace_usage_daily: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: workspace_id, usage_date.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql);
-- every row it writes is stamped with the run (_csw_invocation_id, _csw_built_at). A daily file's
-- rows share one or two usage dates, so the key filter narrows the raw rows to them first.

{{ csw_base_model(
    ('product', 'workspace_usage_daily'), key=['workspace_id', 'usage_date'], incremental=true,
    narrow_by='usage_date',
    columns=[
        ('workspace_id', 'text'), ('crm_account_id', 'text'), ('usage_date', 'date'),
        ('active_users', 'integer'), ('sessions', 'bigint'), ('key_feature_events', 'bigint'),
    ],
    required=['active_users'],
    rules=[
        ('active_users < 0', 'out_of_range:active_users'),
        ('sessions < 0', 'out_of_range:sessions'),
        ('key_feature_events < 0', 'out_of_range:key_feature_events'),
    ],
) }}
