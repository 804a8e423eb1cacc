{#-
    Column types written once for every engine. Model, source and seed YAML declare `varchar`
    (DuckDB, Postgres); Spark 4 rejects `varchar` without a length, so on Spark every cast that
    dbt renders from a declared type (contracts: dbt.cast in get_empty_schema_sql; unit test
    fixtures: dbt.safe_cast) maps `varchar` / `text` to `string`. Other types (integer, bigint,
    date, timestamp, boolean, decimal(p,s)) mean the same on every engine and pass through.
-#}
{% macro csw_spark_type(data_type) %}
    {%- set normalized = (data_type | string).strip().lower() -%}
    {%- if normalized in ('varchar', 'text', 'character varying') -%}
        {{ return('string') }}
    {%- endif -%}
    {{ return(data_type) }}
{% endmacro %}


{#- dbt.cast on Spark (overrides dbt's default__cast for this project): declared types mapped. -#}
{% macro spark__cast(field, type) %}
    {%- do return('cast(' ~ field ~ ' as ' ~ csw_spark_type(type) ~ ')') -%}
{% endmacro %}


{#-
    dbt.safe_cast on Spark (overrides dbt-spark's spark__safe_cast for this project): the same
    cast with declared types mapped; unit test fixtures and expected rows go through it.
-#}
{% macro spark__safe_cast(field, type) %}
    {%- do return('cast(' ~ field ~ ' as ' ~ csw_spark_type(type) ~ ')') -%}
{% endmacro %}
