{%- set as_of_date_var = var('as_of_date', '') | string | trim -%}
{%- if as_of_date_var -%}
{%- set as_of_date_sql = "cast('" ~ as_of_date_var ~ "' as date)" -%}
{%- else -%}
{%- set as_of_date_sql = 'latest_loaded_date' -%}
{%- endif -%}

with

charges as (

    select _loaded_at

    from {{ ref('stg_billing__subscription_charges') }}

),

latest_load as (

    select cast(max(_loaded_at) as date) as latest_loaded_date

    from charges

),

as_of as (

    select {{ as_of_date_sql }} as as_of_date

    from latest_load

),

final as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month

    from as_of

)

select * from final
