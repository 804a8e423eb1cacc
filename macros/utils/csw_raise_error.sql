{#-
    A SQL expression that aborts the query with `message_sql` (a SQL string
    expression, so it can name the offending value) when it is evaluated. Put
    it where it is only evaluated when needed (a CASE branch, or the
    fallback of a COALESCE - both are evaluated lazily), e.g. a currency with
    no FX rate: the build fails with the currency's name instead of a silent
    zero.
      DuckDB: error(msg); Spark: raise_error(msg); default (Postgres): a cast of
      the message to integer, which fails with "invalid input syntax for type
      integer: "<message>"" and so names the value too.
-#}
{% macro csw_raise_error(message_sql) -%}
    {{ return(adapter.dispatch('csw_raise_error', 'customer_success_warehouse')(message_sql)) }}
{%- endmacro %}

{% macro default__csw_raise_error(message_sql) -%}
    cast(({{ message_sql }}) as integer)
{%- endmacro %}

{% macro duckdb__csw_raise_error(message_sql) -%}
    error({{ message_sql }})
{%- endmacro %}

{% macro spark__csw_raise_error(message_sql) -%}
    raise_error({{ message_sql }})
{%- endmacro %}
