{#-
    The month x segment slicing shared by the customer-success aggregates (agg_nps_monthly,
    agg_csat_monthly; csw_rows_by_segment also agg_touch_coverage_monthly and the bridge check
    tests/assert_mrr_customer_view_identity): each event gets the customer-success segment of
    its customer and month, counts once in 'all' and once in its segment, and every month and
    segment has a row even without events (0 counts). The model keeps its import CTEs; these
    macros take their names.
-#}

{#- Rows of `events` (a CTE with customer_id and `month`) with their customer's segment:
    int_customer_months__segmented.customer_success_segment of that month (the `segments` CTE),
    else, for a month before the segment grid starts, the customer's current segment (the
    `current_segments` CTE of int_customers__current_segment); NULL without a known customer. -#}
{% macro csw_with_customer_success_segment(events, segments='customer_segments', current_segments='current_segments') -%}
    select
        {{ events }}.*,
        coalesce(
            {{ segments }}.customer_success_segment,
            {{ current_segments }}.current_segment
        ) as segment
    from {{ events }}
    left join {{ segments }}
        on
            {{ events }}.customer_id = {{ segments }}.customer_id
            and {{ events }}.month = {{ segments }}.month_start_date
    left join {{ current_segments }}
        on {{ events }}.customer_id = {{ current_segments }}.customer_id
{%- endmacro %}

{#- Each row of `events` (a CTE with `month` and `segment`) once in 'all' and once in its
    segment (rows without a segment count in 'all' only), with the given columns. -#}
{% macro csw_rows_by_segment(events, columns) -%}
    select
        month,
        'all' as segment,
        {{ columns | join(', ') }}
    from {{ events }}

    union all

    select
        month,
        segment,
        {{ columns | join(', ') }}
    from {{ events }}
    where segment is not null
{%- endmacro %}

{#- The scaffold: every month with a paying customer (`customer_months`, the CTE of
    int_customer_months__customer_success_snapshot) or an event (`events`, a CTE with `month`),
    up to the as-of date (`as_of`, the CTE of int_as_of), times 'all' and each segment of the
    paying customers. Aggregates left-join their counts to it. -#}
{% macro csw_month_segment_grid(events, customer_months='customer_months', as_of='as_of') -%}
    select
        months.month,
        segments.segment
    from (
        select distinct all_months.month
        from (
            select month from {{ customer_months }}
            union all
            select month from {{ events }}
        ) as all_months
        cross join {{ as_of }}
        where all_months.month <= {{ as_of }}.as_of_date
    ) as months
    cross join (
        select 'all' as segment
        union all
        select distinct segment from {{ customer_months }}
        where segment is not null
    ) as segments
{%- endmacro %}

{#- Counts per cell of the scaffold: `grid` (the CTE of csw_month_segment_grid) left-joined
    to `rows` (the CTE of csw_rows_by_segment) aggregated per month and segment; `measures`
    is a list of (column, aggregate over the rows' columns) pairs, each 0 in a cell without
    rows. -#}
{% macro csw_counts_on_month_segment_grid(grid, rows, measures) -%}
    select
        {{ grid }}.month,
        {{ grid }}.segment,
        {%- for column, aggregate in measures %}
        coalesce(counts.{{ column }}, 0) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ grid }}
    left join (
        select
            month,
            segment,
            {%- for column, aggregate in measures %}
            {{ aggregate }} as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ rows }}
        group by month, segment
    ) as counts
        on
            {{ grid }}.month = counts.month
            and {{ grid }}.segment = counts.segment
{%- endmacro %}
