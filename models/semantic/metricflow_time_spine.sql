{#-
    Day-grain time spine for MetricFlow (configured with `time_spine:` in
    _semantic__models.yml). It spans the same fixed window as the month
    spine (vars spine_start_date / spine_end_date), so every month a mart can
    hold is covered.
-#}
with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('spine_start_date') ~ "' as date)",
        "cast('" ~ var('spine_end_date') ~ "' as date)",
    ) }}

)

select cast(date_day as date) as date_day
from days
