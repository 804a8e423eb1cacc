-- Row counts per raw table by data-quality status: raw = staged + quarantined + superseded + deleted.

with

{% for source_name, table_name in csw_staging_tables() %}
{{ source_name }}__{{ table_name }} as (

    select * from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }}

),

{% endfor %}
counted as (

    {{ csw_union_staging_tables([
        'count(*) as raw_rows',
        "sum(case when _dq_status = 'staged' then 1 else 0 end) as staged_rows",
        "sum(case when _dq_status = 'quarantined' then 1 else 0 end) as quarantined_rows",
        "sum(case when _dq_status = 'superseded' then 1 else 0 end) as superseded_rows",
        "sum(case when _dq_status = 'deleted' then 1 else 0 end) as deleted_rows",
    ]) }}

),

final as (

    select
        {{ dbt.cast('source_name', 'varchar') }} as source_name,
        {{ dbt.cast('table_name', 'varchar') }} as table_name,
        cast(raw_rows as bigint) as raw_rows,
        cast(coalesce(staged_rows, 0) as bigint) as staged_rows,
        cast(coalesce(quarantined_rows, 0) as bigint) as quarantined_rows,
        cast(coalesce(superseded_rows, 0) as bigint) as superseded_rows,
        cast(coalesce(deleted_rows, 0) as bigint) as deleted_rows
    from counted

)

select * from final
