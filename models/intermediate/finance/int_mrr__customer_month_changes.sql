-- The customer view of MRR change (metrics.md "MRR movements", customer view): one row per
-- customer and month with MRR in M or M-1, its product-line movements pivoted into columns,
-- and its business change netted into expansion (> 0) or contraction (< 0). Read by the
-- bridge and fct_mrr_customer_changes, so both views add up from the same rows.
{%- set movement_types = csw_mrr_movement_types() %}

with

customer_months as (

    select * from {{ ref('int_mrr__customer_month') }}

),

movements as (

    select * from {{ ref('int_mrr__movements') }}

),

pivoted as (

    select
        {% for movement_type in movement_types -%}
        {{ csw_sum_mrr_change([movement_type], 'mrr_change_cents') }} as {{ movement_type }}_cents,
        {% endfor -%}
        customer_id,
        month_start_date

    from movements
    group by
        customer_id,
        month_start_date

),

joined as (

    select
        customer_months.customer_id,
        customer_months.month_start_date,
        customer_months.bridge_segment,
        customer_months.prev_mrr_usd_cents as starting_mrr_cents,
        {% for movement_type in movement_types -%}
        cast(coalesce(pivoted.{{ movement_type }}_cents, 0) as bigint) as {{ movement_type }}_cents,
        {% endfor -%}
        customer_months.mrr_usd_cents as ending_mrr_cents

    from customer_months
    left join pivoted
        on
            customer_months.customer_id = pivoted.customer_id
            and customer_months.month_start_date = pivoted.month_start_date

),

{# Business change of a customer with MRR in M-1 and M (upsell, cross-sell and downsell
    exist only then; FX excluded): one number per customer and month. #}
final as (

    select
        *,
        case
            when upsell_cents + cross_sell_cents + downsell_cents > 0
                then upsell_cents + cross_sell_cents + downsell_cents
            else 0
        end as expansion_cents,
        case
            when upsell_cents + cross_sell_cents + downsell_cents < 0
                then upsell_cents + cross_sell_cents + downsell_cents
            else 0
        end as contraction_cents

    from joined

)

select * from final
