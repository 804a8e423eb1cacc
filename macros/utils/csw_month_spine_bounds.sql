{#-
    The months the month spine covers (one row: first_month, last_month): from the first month
    with MRR (`segments`, the CTE of int_charge_segments: the earliest first_counted_month of a
    counted segment) to the as-of month (`as_of`, the CTE of int_as_of); only the as-of month
    when nothing counts yet. The one definition that int_months__spine filters its calendar by
    and the singular test assert_month_spine_is_complete checks the built spine against (its
    fixed window, vars spine_start_date..spine_end_date, must not cut it short).
-#}
{% macro csw_month_spine_bounds(as_of='as_of', segments='segments') -%}
    {{ return(adapter.dispatch('csw_month_spine_bounds', 'customer_success_warehouse')(as_of, segments)) }}
{%- endmacro %}

{% macro default__csw_month_spine_bounds(as_of, segments) -%}
    select
        coalesce(min({{ segments }}.first_counted_month), min({{ as_of }}.as_of_month)) as first_month,
        min({{ as_of }}.as_of_month) as last_month

    from {{ as_of }}
    left join {{ segments }}
        on {{ segments }}.is_counted
{%- endmacro %}
