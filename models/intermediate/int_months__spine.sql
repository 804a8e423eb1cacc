{#-
    One row per month from the first month with MRR to the as-of month.
    dbt.date_spine evaluates its bounds in a query of its own, so they are
    scalar subqueries over the upstream tables (built before this model).
-#}
{%- set first_month_sql -%}
    (
        select coalesce(min(segments.first_counted_month), min(as_of.as_of_month))
        from {{ ref('int_as_of') }} as as_of
        left join {{ ref('int_charge_segments') }} as segments
            on segments.is_counted
    )
{%- endset -%}
{%- set end_month_exclusive_sql -%}
    (
        select {{ dbt.dateadd('month', 1, 'as_of_month') }}
        from {{ ref('int_as_of') }}
    )
{%- endset %}

with

spine as (

    {{ dbt.date_spine('month', first_month_sql, end_month_exclusive_sql) }}

),

final as (

    select
        cast(date_month as date) as month_start_date,
        cast({{ dbt.last_day('date_month', 'month') }} as date) as month_end_date

    from spine

)

select * from final
