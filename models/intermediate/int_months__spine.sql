{#-
    One row per month from the first month with MRR to the as-of month.
    dbt.date_spine needs its bounds at compile time, so it spans the fixed
    window of vars spine_start_date / spine_end_date (literals: compiling needs
    no built table), and the data's own bounds filter it here.
-#}
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

segments as (

    select * from {{ ref('int_charge_segments') }}

),

calendar as (

    {{ dbt.date_spine(
        'month',
        "cast('" ~ var('spine_start_date') ~ "' as date)",
        "cast('" ~ var('spine_end_date') ~ "' as date)",
    ) }}

),

bounds as (

    {{ csw_month_spine_bounds('as_of', 'segments') }}

),

final as (

    select
        cast(calendar.date_month as date) as month_start_date,
        cast({{ dbt.last_day('calendar.date_month', 'month') }} as date) as month_end_date

    from calendar
    inner join bounds
        on
            calendar.date_month >= bounds.first_month
            and calendar.date_month <= bounds.last_month

)

select * from final
