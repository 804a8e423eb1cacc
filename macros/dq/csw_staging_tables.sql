{#-
    The raw tables that have a base model, as (source_name, table_name) pairs. dq marts loop over
    this list; it has to be static (refs are resolved at parse time, when `graph` is empty).
    The singular test `assert_dq_covers_every_source_table` checks it against the sources YAML.
-#}
{%- macro csw_staging_tables() -%}
    {{ return([
        ('crm', 'accounts'),
        ('crm', 'users'),
        ('crm', 'contacts'),
        ('crm', 'activities'),
        ('crm', 'opportunities'),
        ('billing', 'accounts'),
        ('billing', 'products'),
        ('billing', 'subscriptions'),
        ('billing', 'subscription_charges'),
        ('billing', 'invoices'),
        ('billing', 'payments'),
        ('billing', 'exchange_rates'),
        ('support', 'organizations'),
        ('support', 'tickets'),
        ('support', 'ticket_events'),
        ('support', 'satisfaction_ratings'),
        ('survey', 'responses'),
        ('product', 'workspace_usage_daily'),
    ]) }}
{%- endmacro -%}


{#-
    One select per raw table of csw_staging_tables(), `union all`: its `source_name` and
    `table_name` as text, then `columns` (select items, aggregates allowed: one row per table).
    Each reads the model's import CTE `<source_name>__<table_name>` (dq_quarantine,
    dq_row_reconciliation), or with `from_sources` the raw table itself
    (assert_dq_row_reconciliation_matches_raw).
-#}
{%- macro csw_union_staging_tables(columns, from_sources=false) -%}
    {{ return(adapter.dispatch('csw_union_staging_tables', 'customer_success_warehouse')(columns, from_sources)) }}
{%- endmacro -%}

{%- macro default__csw_union_staging_tables(columns, from_sources) -%}
    {%- for source_name, table_name in csw_staging_tables() %}

    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as table_name,
        {{ columns | join(',\n        ') }}
    {%- if from_sources %}
    from {{ source(source_name, table_name) }}
    {%- else %}
    from {{ source_name }}__{{ table_name }}
    {%- endif %}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro -%}
