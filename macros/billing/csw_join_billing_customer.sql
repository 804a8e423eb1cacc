{#-
    The join path from a billing row to the customer it is billed to, in one place: through
    the billing account its subscription or invoice belongs to, to that account's customer
    (int_billing_accounts__mapped_to_customers: customer_id, currency). Inner joins: a row
    whose subscription, invoice or billing account is not staged has no customer and drops
    out, as everywhere MRR, trials and payments are attributed. The model keeps its import
    CTEs; these macros take their names and return the join clauses after `from <rows>`.
-#}

{#- A charge (`charges`: subscription_id) -> its subscription -> billing account -> customer.
    Used by int_charge_segments, int_trials__conversion and int_customers__lifecycle. -#}
{% macro csw_join_charge_customer(charges, subscriptions='subscriptions', billing_accounts='billing_accounts') -%}
    inner join {{ subscriptions }}
        on {{ charges }}.subscription_id = {{ subscriptions }}.subscription_id
    inner join {{ billing_accounts }}
        on {{ subscriptions }}.billing_account_id = {{ billing_accounts }}.billing_account_id
{%- endmacro %}

{#- A payment (`payments`: invoice_id) -> its invoice -> billing account -> customer.
    Used by int_payments__attributed. -#}
{% macro csw_join_payment_customer(payments, invoices='invoices', billing_accounts='billing_accounts') -%}
    inner join {{ invoices }}
        on {{ payments }}.invoice_id = {{ invoices }}.invoice_id
    inner join {{ billing_accounts }}
        on {{ invoices }}.billing_account_id = {{ billing_accounts }}.billing_account_id
{%- endmacro %}
