{#-
    Total MRR of the as-of month in fct_mrr = the same total recomputed here
    straight from staging (charges, subscriptions, billing and CRM accounts,
    exchange rates), without reading any intermediate model and with other
    techniques: membership by comparing dates with last_day(as-of month),
    merges followed by a fixed number of self-joins, the rate by max(rate_date),
    and rounding half up by quotient + remainder instead of csw_div_round_half_up.
    (A merge cycle, which the model resolves to its smallest id, is not
    reproduced here.) Returns one row when the totals differ.
-#}
{%- set max_merge_hops = 10 -%}
{%- set as_of_date_var = var('as_of_date', '') | string | trim -%}

with

charges as (

    select * from {{ ref('stg_billing__subscription_charges') }}

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

billing_accounts as (

    select * from {{ ref('stg_billing__accounts') }}

),

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

exchange_rates as (

    select * from {{ ref('stg_billing__exchange_rates') }}

),

as_of as (

    select
        cast({{ dbt.last_day(
            dbt.date_trunc('month', "cast('" ~ as_of_date_var ~ "' as date)" if as_of_date_var else 'latest_loaded_at'),
            'month'
        ) }} as date) as as_of_month_end

    {#- One row, whether or not the var is set (a row per charge would multiply every total). #}
    from (select max(_loaded_at) as latest_loaded_at from charges) as latest_load

),

billing_customers as (

    select
        billing_accounts.billing_account_id,
        billing_accounts.currency,
        coalesce(
            {% for hop in range(max_merge_hops, 0, -1) -%}
            hop_{{ hop }}.account_id,
            {% endfor -%}
            {{ dbt.concat(["'billing:'", 'billing_accounts.billing_account_id']) }}
        ) as customer_id

    from billing_accounts
    left join crm_accounts as hop_1
        on billing_accounts.crm_account_id = hop_1.account_id
    {% for hop in range(2, max_merge_hops + 1) -%}
    left join crm_accounts as hop_{{ hop }}
        on hop_{{ hop - 1 }}.merged_into_account_id = hop_{{ hop }}.account_id
    {% endfor %}

),

in_service as (

    select
        billing_customers.customer_id,
        charges.product_id,
        billing_customers.currency,
        {{ csw_round_half_up_by_remainder(
            'cast(charges.unit_price * 10000 as decimal(38, 0)) * charges.quantity'
            ~ ' * (10000 - cast(charges.discount_percent * 100 as decimal(38, 0)))',
            "1000000 * case charges.billing_period when 'month' then 1 when 'quarter' then 3 else 12 end",
        ) }} as local_cents

    from charges
    inner join subscriptions
        on charges.subscription_id = subscriptions.subscription_id
    inner join billing_customers
        on subscriptions.billing_account_id = billing_customers.billing_account_id
    cross join as_of
    where
        charges.charge_type = 'recurring'
        and charges.is_trial = false
        and charges.effective_from_date <= as_of.as_of_month_end
        and (charges.effective_to_date is null or charges.effective_to_date > as_of.as_of_month_end)
        and (
            subscriptions.canceled_date is null
            or subscriptions.canceled_date > as_of.as_of_month_end
        )

),

latest_rate_dates as (

    select
        exchange_rates.currency,
        max(exchange_rates.rate_date) as rate_date

    from exchange_rates
    cross join as_of
    where exchange_rates.rate_date <= as_of.as_of_month_end
    group by exchange_rates.currency

),

rates as (

    select
        exchange_rates.currency,
        cast(exchange_rates.usd_per_unit * 100000000 as decimal(38, 0)) as usd_per_unit_e8

    from exchange_rates
    inner join latest_rate_dates
        on
            exchange_rates.currency = latest_rate_dates.currency
            and exchange_rates.rate_date = latest_rate_dates.rate_date

),

local_totals as (

    select
        customer_id,
        product_id,
        currency,
        sum(local_cents) as local_cents

    from in_service
    group by
        customer_id,
        product_id,
        currency

),

expected as (

    select
        sum(
            case
                when local_totals.currency = 'USD' then local_totals.local_cents
                else {{ csw_round_half_up_by_remainder(
                    'cast(local_totals.local_cents as decimal(38, 0)) * rates.usd_per_unit_e8',
                    '100000000',
                ) }}
            end
        ) as expected_mrr_cents

    from local_totals
    left join rates
        on local_totals.currency = rates.currency

),

actual as (

    select cast(coalesce(sum(fct_mrr.mrr_usd), 0) * 100 as decimal(38, 0)) as actual_mrr_cents

    from {{ ref('fct_mrr') }} as fct_mrr
    cross join as_of
    where fct_mrr.month = cast({{ dbt.date_trunc('month', 'as_of.as_of_month_end') }} as date)

),

compared as (

    select
        cast(coalesce(expected.expected_mrr_cents, 0) as decimal(38, 0)) as expected_mrr_cents,
        actual.actual_mrr_cents

    from expected
    cross join actual

)

select * from compared
where expected_mrr_cents <> actual_mrr_cents
