{#-
    Post-hook of every model (dbt_project.yml): on PostgreSQL, `analyze` the table a model just
    built, so that the next query's plan has its statistics. Autovacuum analyzes a new table only
    some seconds later; a query planned before that took the default estimates, and the MRR
    reconciliation test (ten merge hops over CTEs) then ran for 8 minutes instead of 15 ms
    (DECISIONS.md, "PostgreSQL: statistics after each build, JIT off"). Views have no
    statistics; DuckDB keeps its own as it writes, and Spark's ANALYZE TABLE is a job of its
    own, not worth it here.
-#}
{%- macro csw_analyze_after_build() -%}
    {{ return(adapter.dispatch('csw_analyze_after_build', 'customer_success_warehouse')()) }}
{%- endmacro -%}

{%- macro default__csw_analyze_after_build() -%}
    {{ return('') }}
{%- endmacro -%}

{%- macro postgres__csw_analyze_after_build() -%}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        {{ return('analyze ' ~ this) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro -%}
