{#-
    One row per input row and month in [first_month_column, last_month_column]
    (both first days of months, inclusive; no row when first > last). Returns a
    complete select statement with every input column plus `month_column`.

      DuckDB: unnest(generate_series(first, last, interval 1 month)) - an
      explode, no join.
      default (Postgres, Spark, ...): an equi-range join to the month spine
      model `spine_relation` (column `month_start_date`).
-#}
{% macro csw_explode_months(from_relation, first_month_column, last_month_column, spine_relation, month_column='month_start_date') -%}
    {{ return(adapter.dispatch('csw_explode_months', 'customer_success_warehouse')(from_relation, first_month_column, last_month_column, spine_relation, month_column)) }}
{%- endmacro %}

{% macro default__csw_explode_months(from_relation, first_month_column, last_month_column, spine_relation, month_column) -%}
    select
        exploded_source.*,
        exploded_spine.month_start_date as {{ month_column }}
    from {{ from_relation }} as exploded_source
    inner join {{ spine_relation }} as exploded_spine
        on
            exploded_spine.month_start_date >= exploded_source.{{ first_month_column }}
            and exploded_spine.month_start_date <= exploded_source.{{ last_month_column }}
{%- endmacro %}

{% macro duckdb__csw_explode_months(from_relation, first_month_column, last_month_column, spine_relation, month_column) -%}
    select
        exploded_source.*,
        cast(
            unnest(
                generate_series(
                    exploded_source.{{ first_month_column }},
                    exploded_source.{{ last_month_column }},
                    interval 1 month
                )
            ) as date
        ) as {{ month_column }}
    from {{ from_relation }} as exploded_source
{%- endmacro %}
