{#-
    Quoting that survives any name or path: a double quote inside an identifier is doubled, a
    single quote inside a string literal is doubled (ANSI SQL; DuckDB, Postgres). Spark uses
    backticks for identifiers, hence the dispatch.
-#}
{% macro csw_quote_identifier(name) %}
    {{ return(adapter.dispatch('csw_quote_identifier', 'customer_success_warehouse')(name)) }}
{% endmacro %}

{% macro default__csw_quote_identifier(name) %}
    {{ return('"' ~ (name | string).replace('"', '""') ~ '"') }}
{% endmacro %}

{% macro spark__csw_quote_identifier(name) %}
    {{ return('`' ~ (name | string).replace('`', '``') ~ '`') }}
{% endmacro %}


{% macro csw_quote_literal(value) %}
    {{ return(adapter.dispatch('csw_quote_literal', 'customer_success_warehouse')(value)) }}
{% endmacro %}

{% macro default__csw_quote_literal(value) %}
    {{ return("'" ~ (value | string).replace("'", "''") ~ "'") }}
{% endmacro %}

{% macro spark__csw_quote_literal(value) %}
    {{ return("'" ~ (value | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{% endmacro %}
