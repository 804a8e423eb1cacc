-- USD rate per currency x month (the latest rate on or before the month end), and whether the
-- month needs one: the one owner of month-end FX for MRR, restatement and retention.

with

exchange_rates as (

    select * from {{ ref('stg_billing__exchange_rates') }}
    where currency <> 'USD'

),

segment_months as (

    select * from {{ ref('int_charge_segments__months') }}

),

months as (

    select * from {{ ref('int_months__spine') }}

),

currencies as (

    select distinct currency

    from segment_months

),

{# A rate is needed for the months with MRR in the currency and the month
    after each (prev_restated restates M-1 at M's rate). #}
needed_currency_months as (

    select distinct
        currency,
        month_start_date

    from segment_months

    union

    select distinct
        segment_months.currency,
        months.month_start_date

    from segment_months
    inner join months
        on
            cast({{ dbt.dateadd('month', 1, 'segment_months.month_start_date') }} as date)
            = months.month_start_date

),

currency_months as (

    select
        currencies.currency,
        months.month_start_date,
        months.month_end_date

    from currencies
    cross join months

),

latest_rate_dates as (

    -- the latest rate on or before each month end (csw_latest_rate_dates)
    {{ csw_latest_rate_dates('exchange_rates', 'currency_months', 'month_end_date') }}

),

final as (

    select
        currency_months.currency,
        currency_months.month_start_date,
        case
            when currency_months.currency = 'USD' then null
            else latest_rates.rate_date
        end as rate_date,
        case
            when currency_months.currency = 'USD' then cast(1 as decimal(18, 8))
            else cast(latest_rates.usd_per_unit as decimal(18, 8))
        end as usd_per_unit,
        case
            when currency_months.currency = 'USD' then 100000000
            else {{ csw_scaled_int('latest_rates.usd_per_unit', 8) }}
        end as usd_per_unit_e8,
        needed_currency_months.currency is not null as is_rate_needed,
        currency_months.currency <> 'USD' and latest_rates.usd_per_unit is null as is_rate_missing

    from currency_months
    left join latest_rate_dates
        on
            currency_months.currency = latest_rate_dates.currency
            and currency_months.month_end_date = latest_rate_dates.month_end_date
    left join exchange_rates as latest_rates
        on
            latest_rate_dates.currency = latest_rates.currency
            and latest_rate_dates.latest_rate_date = latest_rates.rate_date
    left join needed_currency_months
        on
            currency_months.currency = needed_currency_months.currency
            and currency_months.month_start_date = needed_currency_months.month_start_date

)

select * from final
