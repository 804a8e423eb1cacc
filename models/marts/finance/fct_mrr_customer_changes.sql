-- The customer view of the MRR bridge (metrics.md "MRR movements", customer view): one row
-- per customer and month with MRR in M or M-1, with its starting and ending MRR, FX, new,
-- win-back, churn, and its business change netted into expansion or contraction.

with

customer_changes as (

    select * from {{ ref('int_mrr__customer_month_changes') }}

),

final as (

    select
        customer_id,
        month_start_date as month,  -- noqa: RF04
        bridge_segment as segment,
        {{ csw_cents_to_decimal('starting_mrr_cents') }} as starting_mrr_usd,
        {{ csw_cents_to_decimal('fx_adjustment_cents') }} as fx_adjustment_usd,
        {{ csw_cents_to_decimal('new_cents') }} as new_usd,
        {{ csw_cents_to_decimal('win_back_cents') }} as win_back_usd,
        {{ csw_cents_to_decimal('expansion_cents') }} as expansion_usd,
        {{ csw_cents_to_decimal('contraction_cents') }} as contraction_usd,
        {{ csw_cents_to_decimal('churn_cents') }} as churn_usd,
        {{ csw_cents_to_decimal('ending_mrr_cents') }} as ending_mrr_usd

    from customer_changes

)

select * from final
