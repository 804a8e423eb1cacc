-- CSM book of business per CSM and month (metrics.md "Customer-success workflow"). A
-- customer belongs to its current CSM (dim_customers.csm_user_id; 'unassigned' without one)
-- for all its history. Per month: customers with MRR and their MRR, health bands, under-served
-- customers and touchpoints per touch model (customer-months with MRR); expansion and
-- contraction per customer = that customer's net of its upsell, cross_sell and downsell
-- movements in the month (fct_mrr_movements summed per customer and month: positive ->
-- expansion, negative -> contraction); churned MRR; monthly net MRR retention = (MRR(M-1) +
-- fx + expansion + contraction + churn) / (MRR(M-1) + fx), i.e. the starting MRR restated at
-- M's rates; open alerts (fct_cs_alerts) on the as-of month's row only.

with

health as (

    select * from {{ ref('fct_customer_health') }}

),

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

touch_months as (

    select * from {{ ref('int_touchpoints__customer_monthly') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

alerts as (

    select * from {{ ref('fct_cs_alerts') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

customer_csm as (

    select
        customer_id,
        coalesce(csm_user_id, 'unassigned') as csm_user_id
    from customers

),

customer_month_movements as (

    select
        customer_id,
        month,
        {{ csw_sum_mrr_change(csw_business_change_movement_types()) }} as net_expansion_usd,
        {{ csw_sum_mrr_change(['churn']) }} as churn_usd,
        {{ csw_sum_mrr_change(['fx_adjustment']) }} as fx_usd
    from movements
    group by customer_id, month

),

customer_months as (

    -- every customer-month with MRR now, MRR last month, or a movement
    select
        customer_id,
        month
    from health
    union
    select
        health.customer_id,
        {{ dbt.dateadd('month', 1, 'health.month') }} as month  -- noqa: RF04
    from health
    cross join as_of
    where health.month < as_of.as_of_month
    union
    select
        customer_id,
        month
    from customer_month_movements

),

customer_month_facts as (

    select
        customer_csm.csm_user_id,
        customer_months.customer_id,
        cast(customer_months.month as date) as month,  -- noqa: RF04
        coalesce(current_month.mrr_usd, 0) as mrr_usd,
        coalesce(previous_month.mrr_usd, 0) as previous_mrr_usd,
        current_month.health_band,
        current_month.mrr_usd is not null as has_mrr,
        coalesce(touch_months.is_under_served, false) as is_under_served,
        coalesce(touch_months.high_touches, 0) as high_touches,
        coalesce(touch_months.low_touches, 0) as low_touches,
        coalesce(touch_months.tech_touches, 0) as tech_touches,
        coalesce(touch_months.community_touches, 0) as community_touches,
        coalesce(customer_month_movements.net_expansion_usd, 0) as net_expansion_usd,
        coalesce(customer_month_movements.churn_usd, 0) as churn_usd,
        coalesce(customer_month_movements.fx_usd, 0) as fx_usd
    from customer_months
    inner join customer_csm
        on customer_months.customer_id = customer_csm.customer_id
    left join health as current_month
        on
            customer_months.customer_id = current_month.customer_id
            and customer_months.month = current_month.month
    left join health as previous_month
        on
            customer_months.customer_id = previous_month.customer_id
            and previous_month.month = {{ dbt.dateadd('month', -1, 'customer_months.month') }}
    left join touch_months
        on
            customer_months.customer_id = touch_months.customer_id
            and customer_months.month = touch_months.month
    left join customer_month_movements
        on
            customer_months.customer_id = customer_month_movements.customer_id
            and customer_months.month = customer_month_movements.month

),

portfolio as (

    select
        csm_user_id,
        month,
        sum(case when has_mrr then 1 else 0 end) as customers,
        sum(mrr_usd) as mrr_usd,
        sum(previous_mrr_usd) as previous_mrr_usd,
        sum(case when net_expansion_usd > 0 then net_expansion_usd else 0 end) as expansion_usd,
        sum(case when net_expansion_usd < 0 then net_expansion_usd else 0 end) as contraction_usd,
        -1 * sum(churn_usd) as churned_mrr_usd,
        sum(churn_usd) as churn_usd,
        sum(fx_usd) as fx_usd,
        sum(case when health_band = 'green' then 1 else 0 end) as green_customers,
        sum(case when health_band = 'yellow' then 1 else 0 end) as yellow_customers,
        sum(case when health_band = 'red' then 1 else 0 end) as red_customers,
        sum(case when health_band = 'green' then mrr_usd else 0 end) as green_mrr_usd,
        sum(case when health_band = 'yellow' then mrr_usd else 0 end) as yellow_mrr_usd,
        sum(case when health_band = 'red' then mrr_usd else 0 end) as red_mrr_usd,
        sum(case when has_mrr and is_under_served then 1 else 0 end) as under_served_customers,
        sum(high_touches) as high_touches,
        sum(low_touches) as low_touches,
        sum(tech_touches) as tech_touches,
        sum(community_touches) as community_touches
    from customer_month_facts
    group by csm_user_id, month

),

open_alerts as (

    select
        coalesce(alerts.csm_user_id, 'unassigned') as csm_user_id,
        alerts.month,
        count(*) as open_alerts,
        count(distinct alerts.customer_id) as customers_with_alerts
    from alerts
    group by coalesce(alerts.csm_user_id, 'unassigned'), alerts.month

),

final as (

    select
        {{ dbt.cast('portfolio.csm_user_id', 'varchar') }} as csm_user_id,
        cast(portfolio.month as date) as month,  -- noqa: RF04
        cast(portfolio.customers as integer) as customers,
        cast(portfolio.mrr_usd as decimal(18, 2)) as mrr_usd,
        cast(portfolio.previous_mrr_usd as decimal(18, 2)) as starting_mrr_usd,
        cast(portfolio.expansion_usd as decimal(18, 2)) as expansion_usd,
        cast(portfolio.contraction_usd as decimal(18, 2)) as contraction_usd,
        cast(portfolio.churned_mrr_usd as decimal(18, 2)) as churned_mrr_usd,
        cast(
            case
                when portfolio.previous_mrr_usd + portfolio.fx_usd > 0
                    then round(
                        (
                            portfolio.previous_mrr_usd + portfolio.fx_usd
                            + portfolio.expansion_usd + portfolio.contraction_usd
                            + portfolio.churn_usd
                        ) / (portfolio.previous_mrr_usd + portfolio.fx_usd),
                        6
                    )
            end
            as decimal(10, 6)
        ) as net_mrr_retention,
        cast(portfolio.green_customers as integer) as green_customers,
        cast(portfolio.yellow_customers as integer) as yellow_customers,
        cast(portfolio.red_customers as integer) as red_customers,
        cast(portfolio.green_mrr_usd as decimal(18, 2)) as green_mrr_usd,
        cast(portfolio.yellow_mrr_usd as decimal(18, 2)) as yellow_mrr_usd,
        cast(portfolio.red_mrr_usd as decimal(18, 2)) as red_mrr_usd,
        cast(portfolio.under_served_customers as integer) as under_served_customers,
        cast(portfolio.high_touches as integer) as high_touches,
        cast(portfolio.low_touches as integer) as low_touches,
        cast(portfolio.tech_touches as integer) as tech_touches,
        cast(portfolio.community_touches as integer) as community_touches,
        cast(
            case
                when portfolio.month = as_of.as_of_month then coalesce(open_alerts.open_alerts, 0)
            end
            as integer
        ) as open_alerts,
        cast(
            case
                when portfolio.month = as_of.as_of_month
                    then coalesce(open_alerts.customers_with_alerts, 0)
            end
            as integer
        ) as customers_with_alerts
    from portfolio
    cross join as_of
    left join open_alerts
        on
            portfolio.csm_user_id = open_alerts.csm_user_id
            and portfolio.month = open_alerts.month

)

select * from final
