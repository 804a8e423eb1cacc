-- raw_rows of dq_row_reconciliation equals the row count of each raw table (nothing lost between
-- the loader and the base models), and no table is missing on either side. Each failing row names
-- the table, both counts and the remedy (csw build prints them; plain dbt: run the compiled SQL).

with

raw_counts as (

    {{ csw_union_staging_tables(['count(*) as raw_table_rows'], from_sources=true) }}

),

reconciliation as (

    select * from {{ ref('dq_row_reconciliation') }}

),

compared as (

    select
        coalesce(raw_counts.source_name, reconciliation.source_name) as source_name,
        coalesce(raw_counts.table_name, reconciliation.table_name) as table_name,
        raw_counts.raw_table_rows,
        reconciliation.raw_rows as base_model_rows
    from raw_counts
    full outer join reconciliation
        on
            raw_counts.source_name = reconciliation.source_name
            and raw_counts.table_name = reconciliation.table_name
    where
        raw_counts.raw_table_rows is null
        or reconciliation.raw_rows is null
        or raw_counts.raw_table_rows <> reconciliation.raw_rows

),

final as (

    select
        source_name,
        table_name,
        raw_table_rows,
        base_model_rows,
        raw_table_rows - base_model_rows as missing_rows,
        {{ dbt.concat([
            "'raw.'", 'source_name', "'__'", 'table_name', "' has '",
            "coalesce(" ~ dbt.cast('raw_table_rows', 'varchar') ~ ", 'no')",
            "' rows, its base model base_'", 'source_name', "'__'", 'table_name', "' holds '",
            "coalesce(" ~ dbt.cast('base_model_rows', 'varchar') ~ ", 'no')",
            "': rebuild it with csw build --full-refresh (plain dbt: dbt build --full-refresh'",
            "' --select base_'", 'source_name', "'__'", 'table_name', "'+)'",
        ]) }} as remedy
    from compared

)

select * from final
