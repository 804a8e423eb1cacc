-- Every source table declared in the sources YAML has a row in dq_row_reconciliation (the dq
-- marts loop over the static list in macro csw_staging_tables; this catches a table added to the
-- YAML but not to that list). `graph` is only populated at execution time.

{%- set declared = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name -%}
            {%- do declared.append((node.source_name, node.name)) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

declared as (
    {% for source_name, table_name in declared %}

    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as table_name
    {% if not loop.last %}
    union all
    {% endif %}
    {%- else %}

    select
        {{ dbt.cast('null', 'varchar') }} as source_name,
        {{ dbt.cast('null', 'varchar') }} as table_name
    where 1 = 0
    {%- endfor %}

),

reconciliation as (

    select * from {{ ref('dq_row_reconciliation') }}

),

final as (

    select declared.*
    from declared
    left join reconciliation
        on
            declared.source_name = reconciliation.source_name
            and declared.table_name = reconciliation.table_name
    where reconciliation.source_name is null

)

select * from final
