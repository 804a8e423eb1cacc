-- Labels for every code value that appears in a mart column (seed code_labels), plus the
-- label of every semantic-layer metric (code_column 'metric_name', from the metric
-- definitions: label and config.meta.label_ja), for agg_metrics_monthly.metric_name.
-- Join on code_column = '<column name>' and code = <value>. English and Japanese.
with

seeded as (

    select * from {{ ref('code_labels') }}

)

{%- set metrics = [] %}
{%- if execute %}
{%- for metric in graph.metrics.values() if metric.package_name == model.package_name %}
{%- do metrics.append(metric) %}
{%- endfor %}
{%- endif %}

select
    code_column,
    code,
    sort_order,
    label_en,
    label_ja
from seeded
{%- for metric in metrics | sort(attribute='name') %}
union all
select
    {{ dbt.string_literal('metric_name') }} as code_column,
    {{ dbt.string_literal(metric.name) }} as code,
    {{ loop.index }} as sort_order,
    {%- set label_en = (metric.label or metric.name) | replace("'", "''") %}
    {%- set label_ja = (metric.config.meta or {}).get('label_ja') or label_en %}
    {{ dbt.string_literal(label_en) }} as label_en,
    {{ dbt.string_literal(label_ja | replace("'", "''")) }} as label_ja
{%- endfor %}
