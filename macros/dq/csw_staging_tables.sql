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
