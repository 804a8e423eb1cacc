-- agg_nps_monthly's `all` rows count every deduped NPS answer of the month (attributed or
-- not), and each segment row adds up to at most the `all` row. The aggregate runs to the as-of
-- month (`csw build --as-of`): answers submitted after it are in the fact table, not in a month.

with

monthly as (

    select * from {{ ref('agg_nps_monthly') }}

),

responses as (

    select * from {{ ref('fct_nps_responses') }}

),

as_of as (

    select as_of_month from {{ ref('int_as_of') }}

),

response_counts as (

    select
        responses.submitted_month as month,  -- noqa: RF04
        count(*) as responses
    from responses
    cross join as_of
    where responses.submitted_month <= as_of.as_of_month
    group by responses.submitted_month

),

all_rows as (

    select * from monthly
    where segment = 'all'

),

segment_totals as (

    select
        month,
        sum(responses) as responses
    from monthly
    where segment <> 'all'
    group by month

)

select
    coalesce(all_rows.month, response_counts.month) as month,  -- noqa: RF04
    all_rows.responses as all_row_responses,
    response_counts.responses as fct_responses,
    segment_totals.responses as segment_responses
from all_rows
full outer join response_counts
    on all_rows.month = response_counts.month
left join segment_totals
    on all_rows.month = segment_totals.month
where
    coalesce(all_rows.responses, -1) <> coalesce(response_counts.responses, 0)
    or coalesce(segment_totals.responses, 0) > coalesce(all_rows.responses, 0)
