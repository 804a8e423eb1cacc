-- Typed, checked and deduplicated product.workspace_usage_daily: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: workspace_id, usage_date.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql);
-- every row it writes is stamped with the run (_csw_invocation_id, _csw_built_at).


{{ config(**csw_incremental_config('product', 'workspace_usage_daily')) }}

with

source as (

    {{ csw_incremental_source('product', 'workspace_usage_daily', ['workspace_id', 'usage_date']) }}

),

parsed as (

    select
        {{ csw_parse_text('workspace_id') }} as workspace_id,
        {{ csw_parse_text('crm_account_id') }} as crm_account_id,
        {{ csw_parse_date('usage_date') }} as usage_date,
        {{ csw_parse_integer('active_users') }} as active_users,
        {{ csw_parse_integer('sessions', 'bigint') }} as sessions,
        {{ csw_parse_integer('key_feature_events', 'bigint') }} as key_feature_events,
        {{ csw_dq_parsed_columns(
            ['workspace_id', 'usage_date'],
            checks=[
                ('usage_date', 'date'), ('active_users', 'integer'), ('sessions', 'bigint'),
                ('key_feature_events', 'bigint'),
            ],
            required=['active_users'],
            with_file_id=true,
        ) }}

    from source

),

checked as (

    select
        *,
        coalesce(
            _unparseable_reason,
            case
                when active_users < 0 then 'out_of_range:active_users'
                when sessions < 0 then 'out_of_range:sessions'
                when key_feature_events < 0 then 'out_of_range:key_feature_events'
            end
        ) as _rule_violation

    from parsed

),

deduplicated as (

    {{ csw_dq_status('checked', ['workspace_id', 'usage_date']) }}

),

final as (

    select
        workspace_id,
        crm_account_id,
        usage_date,
        active_users,
        sessions,
        key_feature_events,
        {{ csw_dq_final_columns(with_file_id=true) }},
        {{ csw_incremental_stamp() }}

    from deduplicated

)

select * from final
