{#-
    Generic test: the combination of `combination_of_columns` is unique in `model` (a composite
    primary key). Rows where every column is NULL count too. No package needed. Attached to a
    column, it ignores `column_name` and checks the combination.
-#}
{% test unique_combination_of_columns(model, combination_of_columns, column_name=none) %}

with

grouped as (

    select
        {% for column in combination_of_columns -%}
            {{ column }},
        {% endfor -%}
        count(*) as n_rows

    from {{ model }}

    group by
        {% for column in combination_of_columns -%}
            {{ column }}{{ ',' if not loop.last }}
        {% endfor %}

)

select * from grouped
where n_rows > 1

{% endtest %}
