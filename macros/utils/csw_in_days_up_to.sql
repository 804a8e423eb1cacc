{#-
    True when the date `date_expression` lies in the `days` days up to and including
    `as_of_date`: (as_of - days, as_of] (metrics.md, "the 30 days up to the as-of date").
    `days` is a number or an integer column (a seed's window). The one spelling of those
    windows: fct_cs_alerts (detractor, payment_failed), int_customer_nps_180d and the health
    components int_customer_health__financial (failed payments, 90 days) and
    int_customer_health__sentiment (latest NPS, 180 days).
-#}
{% macro csw_in_days_up_to(date_expression, days, as_of_date) -%}
    {{ date_expression }} > {{ dbt.dateadd('day', '-1 * (' ~ days ~ ')', as_of_date) }}
    and {{ date_expression }} <= {{ as_of_date }}
{%- endmacro %}
