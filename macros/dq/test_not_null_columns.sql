{#-
    Generic test: none of `column_names` is NULL in `model`, checked in one scan (dbt's
    `not_null` scans the table once per column). One failing row per column that has NULLs,
    with the number of NULL rows, so the failure names the column. Used at model level for the
    columns that are not the model's key; a key column keeps dbt's `unique` + `not_null`
    (DECISIONS.md, "One not_null test per model").
-#}
{% test not_null_columns(model, column_names) %}

with

null_counts as (

    select
        {% for column in column_names -%}
            count(*) - count({{ column }}) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ model }}

),

per_column as (

    {% for column in column_names -%}
        select
            '{{ column }}' as column_name,
            null_rows_{{ loop.index }} as null_rows
        from null_counts
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from per_column
where null_rows > 0

{% endtest %}
