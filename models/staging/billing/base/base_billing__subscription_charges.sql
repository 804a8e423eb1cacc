-- Typed, checked and deduplicated billing.subscription_charges: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: charge_id.

with

source as (

    select * from {{ source('billing', 'subscription_charges') }}

),

subscriptions as (

    {#- A charge is only counted through its subscription (int_charge_segments joins on it): a charge
        whose subscription is not a staged subscription would vanish silently, so it is quarantined as
        `orphan:subscription_id` instead (last rule, after the row's own checks). #}
    select distinct subscription_id from {{ ref('stg_billing__subscriptions') }}

),

parsed as (

    select
        {{ csw_parse_text('charge_id') }} as charge_id,
        {{ csw_parse_text('subscription_id') }} as subscription_id,
        {{ csw_parse_text('product_id') }} as product_id,
        {{ csw_parse_text('charge_type') }} as charge_type,
        {{ csw_parse_text('billing_period') }} as billing_period,
        {{ csw_parse_decimal('unit_price', 18, 4) }} as unit_price,
        {{ csw_parse_integer('quantity') }} as quantity,
        {{ csw_parse_decimal('discount_percent', 5, 2) }} as discount_percent,
        {{ csw_parse_date('effective_from') }} as effective_from,
        {{ csw_parse_date('effective_to') }} as effective_to,
        {{ csw_parse_boolean('is_trial') }} as is_trial,
        {{ csw_dq_parsed_columns(
            ['charge_id'],
            checks=[
                ('unit_price', 'decimal(18,4)'), ('quantity', 'integer'),
                ('discount_percent', 'decimal(5,2)'), ('effective_from', 'date'),
                ('effective_to', 'date'), ('is_trial', 'boolean'),
            ],
            required=[
                'product_id', 'charge_type', 'billing_period', 'unit_price', 'quantity',
                'discount_percent', 'effective_from', 'is_trial',
            ],
        ) }}

    from source

),

checked as (

    select
        parsed.*,
        coalesce(
            parsed._unparseable_reason,
            case
                when {{ csw_not_accepted(
                    'parsed.charge_type', ['recurring', 'one_time', 'usage']
                ) }}
                    then 'unknown_value:charge_type'
                when {{ csw_not_accepted(
                    'parsed.billing_period', ['month', 'quarter', 'year']
                ) }}
                    then 'unknown_value:billing_period'
                when parsed.unit_price < 0 then 'out_of_range:unit_price'
                when parsed.quantity < 0 then 'out_of_range:quantity'
                when parsed.discount_percent < 0 or parsed.discount_percent > 100
                    then 'out_of_range:discount_percent'
                when parsed.effective_to < parsed.effective_from then 'invalid_range:effective_to'
                when subscriptions.subscription_id is null then 'orphan:subscription_id'
            end
        ) as _rule_violation

    from parsed
    left join subscriptions
        on parsed.subscription_id = subscriptions.subscription_id

),

deduplicated as (

    {{ csw_dq_status('checked', ['charge_id']) }}

),

final as (

    select
        charge_id,
        subscription_id,
        product_id,
        charge_type,
        billing_period,
        unit_price,
        quantity,
        discount_percent,
        effective_from,
        effective_to,
        is_trial,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
