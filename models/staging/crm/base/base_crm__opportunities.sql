-- Typed, checked and deduplicated crm.opportunities: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: opportunity_id.

with

source as (

    select * from {{ source('crm', 'opportunities') }}

),

parsed as (

    select
        {{ csw_parse_text('opportunity_id') }} as opportunity_id,
        {{ csw_parse_text('account_id') }} as account_id,
        {{ csw_parse_text('opportunity_type') }} as opportunity_type,
        {{ csw_parse_text('stage') }} as stage,
        {{ csw_parse_decimal('amount', 18, 2) }} as amount,
        {{ csw_parse_text('currency') }} as currency,
        {{ csw_parse_date('close_date') }} as close_date,
        {{ csw_parse_text('loss_reason') }} as loss_reason,
        {{ csw_dq_parsed_columns(
            ['opportunity_id'],
            checks=[('amount', 'decimal(18,2)'), ('close_date', 'date')],
            required=['account_id', 'opportunity_type', 'stage', 'close_date'],
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when {{ csw_not_accepted('opportunity_type', [
                    'new_business',
                    'renewal',
                    'upsell',
                    'cross_sell',
                ]) }}
                    then 'unknown_value:opportunity_type'
                when {{ csw_not_accepted('stage', ['open', 'closed_won', 'closed_lost']) }}
                    then 'unknown_value:stage'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['opportunity_id']) }}

),

final as (

    select
        opportunity_id,
        account_id,
        opportunity_type,
        stage,
        amount,
        currency,
        close_date,
        loss_reason,
        {{ csw_dq_final_columns() }}

    from deduplicated

)

select * from final
