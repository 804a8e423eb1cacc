-- The as-of date of the build (metrics.md "MRR"): the dbt var as_of_date when set, else the
-- UTC date of the latest staged _loaded_at in billing.subscription_charges. An as-of date
-- outside the data (before the first charge starts, or after the latest extract) fails the
-- build with the data's range: MRR is never projected past the extract, nor built empty.
-- as_of_end_at is the end of the as-of day: an event at or after it happened after the as-of
-- time, so event facts leave it out (DECISIONS.md, "An as-of build knows no later event").
{%- set as_of_date_var = var('as_of_date', '') | string | trim -%}
{%- if as_of_date_var -%}
{%- set as_of_date_sql = "cast('" ~ as_of_date_var ~ "' as date)" -%}
{%- else -%}
{%- set as_of_date_sql = 'data_range.latest_loaded_date' -%}
{%- endif %}

with

charges as (

    select * from {{ ref('stg_billing__subscription_charges') }}

),

data_range as (

    select
        min(effective_from_date) as first_effective_date,
        cast(max(_loaded_at) as date) as latest_loaded_date

    from charges

),

as_of as (

    select
        {{ as_of_date_sql }} as as_of_date,
        data_range.first_effective_date,
        data_range.latest_loaded_date

    from data_range

),

checked as (

    select
        case
            when
                as_of_date < first_effective_date
                or as_of_date > latest_loaded_date
                then {{ csw_raise_error(
                    "'as_of_date ' || cast(as_of_date as " ~ dbt.type_string() ~ ")"
                    ~ " || ' is outside the data: billing.subscription_charges runs from '"
                    ~ " || cast(first_effective_date as " ~ dbt.type_string() ~ ")"
                    ~ " || ' (first effective_from) to '"
                    ~ " || cast(latest_loaded_date as " ~ dbt.type_string() ~ ")"
                    ~ " || ' (latest _loaded_at); choose an as-of date in that range'"
                ) }}
        end as range_error,
        as_of_date

    from as_of

),

final as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month,
        cast(
            {{ dbt.dateadd('day', 1, 'as_of_date') }} as {{ dbt.type_timestamp() }}
        ) as as_of_end_at

    from checked
    {#- Filtering on the check makes every engine evaluate it (an unused column may be pruned). #}
    where range_error is null

)

select * from final
