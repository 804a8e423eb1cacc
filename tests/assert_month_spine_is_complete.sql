-- The month spine runs without gaps from the first MRR month to the as-of month.
-- It fails (one row) when data falls outside vars spine_start_date..spine_end_date.
with

spine as (

    select * from {{ ref('int_months__spine') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

segments as (

    select * from {{ ref('int_charge_segments') }}

),

expected as (

    select
        coalesce(min(segments.first_counted_month), min(as_of.as_of_month)) as first_month,
        min(as_of.as_of_month) as last_month

    from as_of
    left join segments
        on segments.is_counted

),

actual as (

    select
        min(month_start_date) as first_month,
        max(month_start_date) as last_month,
        count(*) as months

    from spine

)

select
    expected.first_month as expected_first_month,
    expected.last_month as expected_last_month,
    actual.first_month,
    actual.last_month,
    actual.months

from expected
cross join actual
where
    actual.first_month is null
    or actual.first_month != expected.first_month
    or actual.last_month != expected.last_month
    or actual.months != {{ dbt.datediff('expected.first_month', 'expected.last_month', 'month') }} + 1  -- noqa: LT05
