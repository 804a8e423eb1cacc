-- For every customer and month (months with MRR in M or M-1, up to the as-of month):
-- MRR(M-1) + sum of all movements in M (incl. fx_adjustment) = MRR(M), to the cent.
-- Reads the marts only (fct_mrr, fct_mrr_movements). Returns the customer-months that break it.

with

mrr as (

    select
        customer_id,
        month,
        sum(mrr_usd) as mrr_usd

    from {{ ref('fct_mrr') }}
    group by
        customer_id,
        month

),

movements as (

    select
        customer_id,
        month,
        sum(mrr_change_usd) as movement_usd

    from {{ ref('fct_mrr_movements') }}
    group by
        customer_id,
        month

),

as_of as (

    select as_of_month

    from {{ ref('int_as_of') }}

),

customer_months as (

    select
        customer_id,
        month

    from mrr

    union

    select
        mrr.customer_id,
        cast({{ dbt.dateadd('month', 1, 'mrr.month') }} as date) as month  -- noqa: RF04

    from mrr
    cross join as_of
    where mrr.month < as_of.as_of_month

    union

    select
        customer_id,
        month

    from movements

),

checked as (

    select
        customer_months.customer_id,
        customer_months.month,
        coalesce(previous_mrr.mrr_usd, 0) as starting_mrr_usd,
        coalesce(movements.movement_usd, 0) as movement_usd,
        coalesce(current_mrr.mrr_usd, 0) as ending_mrr_usd

    from customer_months
    left join mrr as current_mrr
        on
            customer_months.customer_id = current_mrr.customer_id
            and customer_months.month = current_mrr.month
    left join mrr as previous_mrr
        on
            customer_months.customer_id = previous_mrr.customer_id
            and cast({{ dbt.dateadd('month', -1, 'customer_months.month') }} as date)
            = previous_mrr.month
    left join movements
        on
            customer_months.customer_id = movements.customer_id
            and customer_months.month = movements.month

)

select * from checked
where starting_mrr_usd + movement_usd <> ending_mrr_usd
