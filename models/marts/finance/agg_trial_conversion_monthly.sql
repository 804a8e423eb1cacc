-- Trial conversion by month of trial end (metrics.md "Trials"): ended trials (the earliest
-- per customer and product line), those converted to MRR on the same line by the end of
-- the following month, and the rate (a fraction 0..1).

with

trials as (

    select * from {{ ref('int_trials__conversion') }}
    where is_ended

),

monthly as (

    select
        trial_end_month as month_start_date,
        count(*) as ended_trials,
        sum(case when is_converted then 1 else 0 end) as converted_trials,
        min(case when is_outcome_final then 1 else 0 end) = 1 as is_final

    from trials
    group by trial_end_month

),

final as (

    select
        month_start_date as month,  -- noqa: RF04
        cast(ended_trials as integer) as ended_trials,
        cast(converted_trials as integer) as converted_trials,
        {{ csw_ratio('converted_trials', 'ended_trials') }} as trial_conversion_rate,
        is_final

    from monthly

)

select * from final
