-- One row per quarantined raw row of every raw table, with the reason (docs/design.md).

with

{% for source_name, table_name in csw_staging_tables() %}
{{ source_name }}__{{ table_name }} as (

    select * from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }}
    where _dq_status = 'quarantined'

),

{% endfor %}
unioned as (

    {{ csw_union_staging_tables([
        '_record_key as record_key',
        '_dq_reason as reason',
        '_source_file as source_file',
        '_source_row_number as source_row_number',
        '_loaded_at_raw as loaded_at_raw',
    ]) }}

),

final as (

    select
        {{ dbt.cast('source_name', 'varchar') }} as source_name,
        {{ dbt.cast('table_name', 'varchar') }} as table_name,
        {{ dbt.cast('record_key', 'varchar') }} as record_key,
        {{ dbt.cast('reason', 'varchar') }} as reason,
        {{ dbt.cast('source_file', 'varchar') }} as source_file,
        cast(source_row_number as bigint) as source_row_number,
        {{ dbt.cast('loaded_at_raw', 'varchar') }} as loaded_at_raw
    from unioned

)

select * from final
