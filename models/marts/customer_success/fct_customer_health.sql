-- Monthly customer health snapshot, one row per customer and month with MRR.
-- health_score = sum(weight * component score) / sum(weight) over the components whose
-- input is present (a missing component gives its weight to the others in proportion),
-- computed exactly on tenths and rounded half away from zero to one decimal;
-- coverage_pct = present weight / total weight (a fraction 0-1, docs/bi.md "Scales"). Band: the band of seed
-- health_bands with the highest min_score the score reaches.
-- main_risk_driver: the present component with the largest weighted shortfall from 100,
-- weight * (100 - score) (ties in the order adoption, engagement, support, sentiment,
-- financial; NULL when no component falls short), with a short reason in English and
-- Japanese from seed health_risk_reasons, its placeholders {v1}..{v4} filled with the
-- component's input values.
-- Incremental (DECISIONS.md, "Health snapshots: recompute from the first changed month"): a
-- daily run recomputes the customer months of int_customer_health__snapshot_months (each
-- changed customer from its first changed month on) and reads the months before them as built;
-- post-hooks delete the customer months that left the spine, then the fingerprints of inputs
-- that vanished and mark the others applied (csw_health_apply_input_fingerprints). A table on
-- Spark.

{{ config(**csw_health_snapshot_config()) }}

with

components as (

    select * from {{ ref('int_customer_health__components') }}
    {%- if is_incremental() %}
    -- the customer months this run recomputed
    where _csw_invocation_id = '{{ invocation_id }}'
    {%- endif %}

),
{%- if is_incremental() %}

spine_months as (

    select * from {{ ref('int_customer_months__customer_success_snapshot') }}

),
{%- endif %}

health_weights as (

    select * from {{ ref('health_weights') }}

),

health_bands as (

    select * from {{ ref('health_bands') }}

),

health_risk_reasons as (

    select * from {{ ref('health_risk_reasons') }}

),

weights as (

    select
        {{ csw_health_component_weights('weight') }},
        sum(weight) as total_weight
    from health_weights

),

weighted as (

    select
        components.*,
        weights.total_weight,
        -- weighted shortfall from 100 in tenths (exact integers), NULL when missing
        weights.adoption_weight * (1000 - cast(components.adoption_score * 10 as bigint))
            as adoption_shortfall,
        weights.engagement_weight * (1000 - cast(components.engagement_score * 10 as bigint))
            as engagement_shortfall,
        weights.support_weight * (1000 - cast(components.support_score * 10 as bigint))
            as support_shortfall,
        weights.sentiment_weight * (1000 - cast(components.sentiment_score * 10 as bigint))
            as sentiment_shortfall,
        weights.financial_weight * (1000 - cast(components.financial_score * 10 as bigint))
            as financial_shortfall,
        -- component scores carry one decimal: weight * score * 10 is an exact integer
        -- (weighted_score_tenths, present_weight)
        {{ csw_health_score_parts('components', 'weights') }}
    from components
    cross join weights

),

scored as (

    select
        *,
        {{ csw_ratio('weighted_score_tenths', '10 * present_weight', 1) }} as health_score,
        {{ csw_ratio('100 * present_weight', 'total_weight', 1) }} as coverage_pct
    from weighted

),

current_band as (

    {{ csw_health_banded('scored', 'health_score') }}

),

{% if is_incremental() %}

first_recomputed_months as (

    select
        customer_id,
        min(month) as first_month
    from current_band
    group by customer_id

),

built_scores as (

    -- the three months before a customer's first recomputed month, as built: the score change
    -- and the utilization three months before read them; only months still in the spine (a
    -- month that left it is deleted by the post-hook, after this)
    select
        built.customer_id,
        built.month,
        built.health_score,
        built.seat_utilization
    from {{ this }} as built
    inner join first_recomputed_months
        on
            built.customer_id = first_recomputed_months.customer_id
            and built.month < first_recomputed_months.first_month
            and built.month >= {{ dbt.dateadd('month', -3, 'first_recomputed_months.first_month') }}
    inner join spine_months
        on
            built.customer_id = spine_months.customer_id
            and built.month = spine_months.month

),

{% endif %}

score_history as (

    select
        customer_id,
        month,
        health_score,
        seat_utilization
    from current_band
    {%- if is_incremental() %}

    union all

    select
        customer_id,
        month,
        health_score,
        seat_utilization
    from built_scores
    {%- endif %}

),

with_change as (

    select
        current_band.*,
        current_band.health_score - previous_month.health_score as health_score_change,
        three_months_ago.seat_utilization as seat_utilization_3m_ago
    from current_band
    left join score_history as previous_month
        on
            current_band.customer_id = previous_month.customer_id
            and previous_month.month = {{ dbt.dateadd('month', -1, 'current_band.month') }}
    left join score_history as three_months_ago
        on
            current_band.customer_id = three_months_ago.customer_id
            and three_months_ago.month = {{ dbt.dateadd('month', -3, 'current_band.month') }}

),

max_shortfall as (

    select
        *,
        greatest(
            coalesce(adoption_shortfall, -1),
            coalesce(engagement_shortfall, -1),
            coalesce(support_shortfall, -1),
            coalesce(sentiment_shortfall, -1),
            coalesce(financial_shortfall, -1)
        ) as largest_shortfall
    from with_change

),

driven as (

    -- ties go to the first component in the order of the case
    select
        *,
        case
            when largest_shortfall <= 0 then null
            when adoption_shortfall = largest_shortfall then 'adoption'
            when engagement_shortfall = largest_shortfall then 'engagement'
            when support_shortfall = largest_shortfall then 'support'
            when sentiment_shortfall = largest_shortfall then 'sentiment'
            when financial_shortfall = largest_shortfall then 'financial'
        end as main_risk_driver
    from max_shortfall

),

reason_inputs as (

    -- the reason template and its input values, as text
    select
        *,
        case main_risk_driver
            when 'adoption'
                then
                    case
                        when seat_utilization_3m_ago is null then 'adoption_no_history'
                        else 'adoption'
                    end
            when 'engagement'
                then
                    case
                        when days_since_last_touch is null then 'engagement_never'
                        else 'engagement'
                    end
            when 'financial'
                then
                    case
                        when mrr_change_pct_3m is null then 'financial_no_trend'
                        else 'financial'
                    end
            else main_risk_driver
        end as reason_key,
        case main_risk_driver
            when 'adoption'
                then {{ dbt.cast('cast(round(100 * seat_utilization, 0) as integer)', 'varchar') }}
            when 'engagement' then {{ dbt.cast('days_since_last_touch', 'varchar') }}
            when 'support' then {{ dbt.cast('support_tickets_90d', 'varchar') }}
            when 'sentiment' then {{ dbt.cast('latest_nps_score_180d', 'varchar') }}
            when 'financial'
                then {{ dbt.cast('cast(round(mrr_change_pct_3m, 0) as integer)', 'varchar') }}
        end as reason_v1,
        case main_risk_driver
            when 'adoption'
                then {{ dbt.cast(
                    'cast(round(100 * seat_utilization_3m_ago, 0) as integer)', 'varchar'
                ) }}
            when 'support' then {{ dbt.cast('support_escalations_90d', 'varchar') }}
            when 'financial' then {{ dbt.cast('failed_payments_90d', 'varchar') }}
        end as reason_v2,
        case
            when main_risk_driver = 'support'
                then {{ dbt.cast('support_sla_breaches_90d', 'varchar') }}
        end as reason_v3,
        case
            when main_risk_driver = 'support'
                then {{ dbt.cast('support_csat_bad_90d', 'varchar') }}
        end as reason_v4
    from driven

),

explained as (

    select
        reason_inputs.*,
        {{ csw_fill_template(
            'health_risk_reasons.reason_en',
            ['reason_inputs.reason_v1', 'reason_inputs.reason_v2',
             'reason_inputs.reason_v3', 'reason_inputs.reason_v4']
        ) }} as main_risk_reason_en,
        {{ csw_fill_template(
            'health_risk_reasons.reason_ja',
            ['reason_inputs.reason_v1', 'reason_inputs.reason_v2',
             'reason_inputs.reason_v3', 'reason_inputs.reason_v4']
        ) }} as main_risk_reason_ja
    from reason_inputs
    left join health_risk_reasons
        on reason_inputs.reason_key = health_risk_reasons.reason_key

),

final as (

    select
        {{ dbt.cast('customer_id', 'varchar') }} as customer_id,
        cast(month as date) as month,  -- noqa: RF04
        cast(snapshot_date as date) as snapshot_date,
        {{ dbt.cast('segment', 'varchar') }} as segment,
        cast(mrr_usd as decimal(18, 2)) as mrr_usd,
        cast(health_score as decimal(4, 1)) as health_score,
        {{ dbt.cast('health_band', 'varchar') }} as health_band,
        cast(health_score_change as decimal(4, 1)) as health_score_change,
        -- fractions 0-1 (docs/bi.md "Scales"): exact from the 1-decimal percentages
        cast(coverage_pct * 0.01 as decimal(5, 4)) as coverage_pct,
        {{ dbt.cast('main_risk_driver', 'varchar') }} as main_risk_driver,
        {{ dbt.cast('main_risk_reason_en', 'varchar') }} as main_risk_reason_en,
        {{ dbt.cast('main_risk_reason_ja', 'varchar') }} as main_risk_reason_ja,
        cast(adoption_score as decimal(4, 1)) as adoption_score,
        cast(seat_utilization as decimal(9, 4)) as seat_utilization,
        cast(avg_daily_active_users as decimal(18, 2)) as avg_daily_active_users,
        cast(licensed_seats as decimal(18, 2)) as licensed_seats,
        cast(seat_utilization_3m_ago as decimal(9, 4)) as seat_utilization_3m_ago,

        cast(engagement_score as decimal(4, 1)) as engagement_score,
        cast(days_since_last_touch as integer) as days_since_last_touch,

        cast(support_score as decimal(4, 1)) as support_score,
        cast(support_tickets_90d as integer) as support_tickets_90d,
        cast(support_escalations_90d as integer) as support_escalations_90d,
        cast(support_sla_breaches_90d as integer) as support_sla_breaches_90d,
        cast(support_csat_good_90d as integer) as support_csat_good_90d,
        cast(support_csat_bad_90d as integer) as support_csat_bad_90d,

        cast(sentiment_score as decimal(4, 1)) as sentiment_score,
        cast(latest_nps_score_180d as integer) as latest_nps_score_180d,

        cast(financial_score as decimal(4, 1)) as financial_score,
        cast(mrr_change_pct_3m * 0.01 as decimal(9, 3)) as mrr_change_pct_3m,
        cast(failed_payments_90d as integer) as failed_payments_90d
    from explained

)

select * from final
