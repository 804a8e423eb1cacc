{#-
    Use the configured custom schema name as is (staging, intermediate, marts),
    not dbt's default "<target_schema>_<custom>": interface.md fixes the exact
    schema names on DuckDB and Postgres.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
