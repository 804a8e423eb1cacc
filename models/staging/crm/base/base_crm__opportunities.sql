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
        {{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {{ csw_record_key(['opportunity_id']) }} as _record_key,
        {{ csw_has_null(['opportunity_id']) }} as _has_null_key,
        {{ csw_unparseable_reason([
            ('amount', 'decimal(18,2)'),
            ('close_date', 'date'),
            ('_loaded_at', 'timestamp'),
            ('_is_deleted', 'boolean'),
        ], required=[
            'account_id',
            'opportunity_type',
            'stage',
            'close_date',
        ]) }} as _unparseable_reason

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
        _loaded_at,
        _loaded_at_raw,
        _is_deleted,
        _source_file,
        _source_row_number,
        _record_key,
        _dq_status,
        _dq_reason

    from deduplicated

)

select * from final
