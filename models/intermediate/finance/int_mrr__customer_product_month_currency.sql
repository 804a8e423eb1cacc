-- Customer x product x currency x month: local cents and USD cents of M and of M-1 (at M-1's
-- and restated at M's rate), rounded per key exactly as design.md says. The base of all MRR.

{#- The amounts of a key in a month, carried to the next month as prev_<amount>. -#}
{%- set amounts = ['counted_segments', 'local_mrr_cents', 'quantity'] %}

with

segment_months as (

    select * from {{ ref('int_charge_segments__months') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__monthly') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

current_month as (

    select
        customer_id,
        product_id,
        currency,
        month_start_date,
        count(*) as counted_segments,
        cast(sum(segment_mrr_cents) as bigint) as local_mrr_cents,
        cast(sum(quantity) as bigint) as quantity

    from segment_months
    group by
        customer_id,
        product_id,
        currency,
        month_start_date

),

{# The same amounts seen from the next month (M-1 -> M), never past the
    as-of month: there is no row, and so no churn, after the as-of month. #}
next_month as (

    select
        current_month.customer_id,
        current_month.product_id,
        current_month.currency,
        {% for amount in amounts -%}
        current_month.{{ amount }},
        {% endfor -%}
        cast({{ dbt.dateadd('month', 1, 'current_month.month_start_date') }} as date)
            as month_start_date

    from current_month
    cross join as_of
    where current_month.month_start_date < as_of.as_of_month

),

stacked as (

    select
        customer_id,
        product_id,
        currency,
        {% for amount in amounts -%}
        {{ amount }},
        0 as prev_{{ amount }},
        {% endfor -%}
        month_start_date

    from current_month

    union all

    select
        customer_id,
        product_id,
        currency,
        {% for amount in amounts -%}
        0 as {{ amount }},
        {{ amount }} as prev_{{ amount }},
        {% endfor -%}
        month_start_date

    from next_month

),

framed as (

    select
        {% for amount in amounts -%}
        cast(sum({{ amount }}) as bigint) as {{ amount }},
        cast(sum(prev_{{ amount }}) as bigint) as prev_{{ amount }},
        {% endfor -%}
        customer_id,
        product_id,
        currency,
        month_start_date

    from stacked
    group by
        customer_id,
        product_id,
        currency,
        month_start_date

),

with_rates as (

    select
        framed.*,
        fx_rates.usd_per_unit,
        coalesce(
            fx_rates.usd_per_unit_e8,
            {{ csw_raise_error(
                "'missing FX rate for currency ' || framed.currency"
                ~ " || ': no billing.exchange_rates row with rate_date <= '"
                ~ " || cast(" ~ dbt.last_day('framed.month_start_date', 'month')
                ~ " as " ~ dbt.type_string() ~ ")"
            ) }}
        ) as usd_per_unit_e8,
        coalesce(prev_fx_rates.usd_per_unit_e8, 0) as prev_usd_per_unit_e8

    from framed
    left join fx_rates
        on
            framed.currency = fx_rates.currency
            and framed.month_start_date = fx_rates.month_start_date
    left join fx_rates as prev_fx_rates
        on
            framed.currency = prev_fx_rates.currency
            and cast({{ dbt.dateadd('month', -1, 'framed.month_start_date') }} as date)
            = prev_fx_rates.month_start_date

),

final as (

    select
        customer_id,
        product_id,
        currency,
        month_start_date,
        counted_segments,
        local_mrr_cents,
        quantity,
        usd_per_unit,
        {{ csw_local_cents_to_usd('local_mrr_cents', 'usd_per_unit_e8') }} as usd_mrr_cents,
        prev_counted_segments,
        prev_local_mrr_cents,
        prev_quantity,
        {{ csw_local_cents_to_usd('prev_local_mrr_cents', 'prev_usd_per_unit_e8') }}
            as prev_usd_mrr_cents,
        {{ csw_local_cents_to_usd('prev_local_mrr_cents', 'usd_per_unit_e8') }}
            as prev_restated_usd_cents

    from with_rates

)

select * from final
