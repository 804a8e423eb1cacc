-- The month spine runs without gaps from the first MRR month to the as-of month (the months of
-- csw_month_spine_bounds, the definition the model filters by).
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

    {{ csw_month_spine_bounds('as_of', 'segments') }}

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
