{#-
    agg_metrics_monthly, generated from the MetricFlow definitions in the graph
    (models/semantic/_semantic__metrics.yml and _semantic__semantic_models.yml): every
    metric by month (segment 'all') and, when MetricFlow can group it by the customer-month
    segment, by segment. Nothing about a metric is written here: adding a metric to the YAML
    adds its rows. The same semantics as `mf query --metrics M --group-by metric_time__month
    [,customer_month__segment]` (tests/python/test_semantic_layer.py compares every value):
      simple   agg(measure expr) of the measure's semantic model, by the month of its
               agg_time_dimension; segment from sem_customer_months through the model's
               `customer_month` entity (dimension `segment`, or the semantic model's
               config.meta.metrics_mart_segment, e.g. cs_segment for NPS / CSAT / support)
      ratio    numerator / denominator (NULL when the denominator is 0)
      derived  expr over its input metrics, full outer join on (month, segment), inputs
               with fill_nulls_with coalesced
    Segment rows exist only when every input has the same segment dimension; rows with a
    NULL segment (unattributed answers) are counted in 'all' only, rows with a NULL time
    (a ticket never rated) in no month. Metric features this
    generator does not implement (filters, offsets, cumulative and conversion metrics,
    non-additive dimensions other than the month itself) stop the build with an error
    naming the metric, never a silent wrong number.
    The model must declare `-- depends_on: {{ ref(...) }}` for every model a semantic
    model reads (dbt cannot infer refs made from the graph); a missing one is an error.
-#}
{% macro csw_metrics_monthly() %}
    {%- if not execute -%}
        {{ return("select 1 as placeholder") }}
    {%- endif -%}
    {%- set project = model.package_name -%}
    {%- set sms = {} -%}
    {%- set measures = {} -%}
    {%- for sm in graph.semantic_models.values() if sm.package_name == project -%}
        {%- do sms.update({sm.name: sm}) -%}
        {%- for measure in sm.measures -%}
            {%- do measures.update({measure.name: (sm, measure)}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set metrics = {} -%}
    {%- for metric in graph.metrics.values() if metric.package_name == project -%}
        {%- do metrics.update({metric.name: metric}) -%}
    {%- endfor -%}
    {%- set customer_months = ref('sem_customer_months') -%}

    {#- 1. Per simple metric: where it comes from and which segment dimension it has. -#}
    {%- set info = {} -%}
    {%- for name, metric in metrics.items() if metric.type == 'simple' -%}
        {%- set tp = metric.type_params -%}
        {%- if metric.filter or tp.measure.filter or tp.window or tp.grain_to_date -%}
            {%- do exceptions.raise_compiler_error("agg_metrics_monthly: metric " ~ name ~ " uses a filter or window, which csw_metrics_monthly does not implement") -%}
        {%- endif -%}
        {%- set sm, measure = measures[tp.measure.name] -%}
        {%- set time_dim = measure.agg_time_dimension or sm.defaults.agg_time_dimension -%}
        {%- set nad = measure.non_additive_dimension -%}
        {%- if nad and nad.name != time_dim -%}
            {%- do exceptions.raise_compiler_error("agg_metrics_monthly: measure " ~ measure.name ~ " is non-additive over " ~ nad.name ~ ", not its month") -%}
        {%- endif -%}
        {%- set ns = namespace(time_expr=time_dim, grain='day', cm_expr=none) -%}
        {%- for dim in sm.dimensions if dim.name == time_dim -%}
            {%- set ns.time_expr = dim.expr or dim.name -%}
            {%- set ns.grain = dim.type_params.time_granularity if dim.type_params else 'day' -%}
        {%- endfor -%}
        {%- if nad and ns.grain != 'month' -%}
            {%- do exceptions.raise_compiler_error("agg_metrics_monthly: measure " ~ measure.name ~ " is non-additive over a time finer than month") -%}
        {%- endif -%}
        {%- for entity in sm.entities if entity.name == 'customer_month' -%}
            {#- the entity expr is written for DuckDB/Postgres; Spark 4 has no bare varchar -#}
            {%- set ns.cm_expr = (entity.expr or entity.name) | replace(' as varchar)', ' as ' ~ csw_spark_type('varchar') ~ ')')
                if target.type == 'spark' else (entity.expr or entity.name) -%}
        {%- endfor -%}
        {%- set upstream = sm.depends_on.nodes[0] -%}
        {%- if upstream not in model.depends_on.nodes -%}
            {%- do exceptions.raise_compiler_error("agg_metrics_monthly: add `-- depends_on: {{ ref('" ~ graph.nodes[upstream].name ~ "') }}` (semantic model " ~ sm.name ~ ")") -%}
        {%- endif -%}
        {%- do info.update({name: {
            'relation': ref(graph.nodes[upstream].name),
            'time_expr': ns.time_expr,
            'agg': measure.agg,
            'expr': measure.expr or measure.name,
            'segment': ((sm.config.meta or {}).get('metrics_mart_segment', 'segment')) if ns.cm_expr else none,
            'cm_expr': ns.cm_expr,
            'fill': tp.measure.fill_nulls_with,
        }}) -%}
    {%- endfor -%}

    {#- 1b. Simple metrics that read the same rows (relation, month, customer month, segment)
        share one scan: one grouped select computes all of their aggregates, by month and by
        month and segment, and each metric reads its column `v__<metric>` (the same numbers as
        one scan per metric; the 100k daily run's agg_metrics_monthly: 10.9 s -> 4.0 s,
        BENCHMARKS.md). -#}
    {%- set scans = {} -%}
    {%- set scan_of = {} -%}
    {%- for name, m in info.items() -%}
        {%- set scan_key = [m.relation | string, m.time_expr, m.cm_expr | string, m.segment | string] | join('|') -%}
        {%- if scan_key not in scans -%}
            {%- do scans.update({scan_key: {'name': 's' ~ (scans | length + 1), 'relation': m.relation,
                'time_expr': m.time_expr, 'cm_expr': m.cm_expr, 'segment': m.segment, 'metrics': []}}) -%}
        {%- endif -%}
        {%- do scans[scan_key].metrics.append(name) -%}
        {%- do scan_of.update({name: scans[scan_key].name}) -%}
    {%- endfor -%}

    {#- 2. Ratio and derived metrics, in dependency order. -#}
    {%- set order = info.keys() | list -%}
    {%- for _ in range(metrics | length) -%}
        {%- for name, metric in metrics.items() if name not in order -%}
            {%- set tp = metric.type_params -%}
            {%- if metric.type == 'ratio' -%}
                {%- set inputs = [tp.numerator, tp.denominator] -%}
            {%- elif metric.type == 'derived' -%}
                {%- set inputs = tp.metrics -%}
            {%- else -%}
                {%- do exceptions.raise_compiler_error("agg_metrics_monthly: metric " ~ name ~ " of type " ~ metric.type ~ " is not implemented by csw_metrics_monthly") -%}
            {%- endif -%}
            {%- set ns = namespace(ready=true, segments=[]) -%}
            {%- for input in inputs -%}
                {%- if input.filter or input.offset_window or input.offset_to_grain or (input.alias and metric.type == 'derived') -%}
                    {%- do exceptions.raise_compiler_error("agg_metrics_monthly: metric " ~ name ~ " uses an input filter, offset or alias, not implemented") -%}
                {%- endif -%}
                {%- if input.name not in order -%}
                    {%- set ns.ready = false -%}
                {%- else -%}
                    {%- set ns.segments = ns.segments + [info[input.name].segment] -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if ns.ready -%}
                {%- set segment = ns.segments[0] if (ns.segments | unique | list | length) == 1 else none -%}
                {%- do info.update({name: {'inputs': inputs, 'segment': segment, 'fill': none, 'type': metric.type,
                                           'expr': tp.expr if metric.type == 'derived' else none}}) -%}
                {%- do order.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {#- 3. Each metric as one expression over `wide` (one row per month and segment with every
        scan's columns side by side): a simple metric is its scan's column; a ratio or derived
        metric is its formula with each input replaced by that input's own expression (NULL
        filled with fill_nulls_with), and it exists where any scan it reads has the month and
        segment, as MetricFlow joins its inputs. So every scan is read once, however many
        metrics read it (a CTE per metric made Spark recompute the scans under every metric
        that read them: about 120 aggregates for 50 metrics). Input names are swapped for
        placeholders first, so an expression put in can never be matched by a later name. -#}
    {%- set value_sql = {} -%}
    {%- set reads = {} -%}
    {%- for name in order -%}
        {%- set m = info[name] -%}
        {%- if name in scan_of -%}
            {%- do value_sql.update({name: scan_of[name] ~ '.v__' ~ name}) -%}
            {%- do reads.update({name: [scan_of[name]]}) -%}
        {%- else -%}
            {%- set input_names = m.inputs | map(attribute='name') | list -%}
            {#- a derived metric that divides works in doubles on every engine (Spark's decimal
                division keeps only 6 decimals) -#}
            {%- set as_double = m.type == 'derived' and '/' in (m.expr or '') -%}
            {%- set args = [] -%}
            {%- set ns = namespace(scans=[]) -%}
            {%- for input in input_names -%}
                {%- set arg = value_sql[input] -%}
                {%- if info[input].fill is not none -%}
                    {%- set arg = 'coalesce(' ~ arg ~ ', ' ~ info[input].fill ~ ')' -%}
                {%- endif -%}
                {%- if as_double -%}
                    {%- set arg = 'cast(' ~ arg ~ ' as ' ~ csw_double() ~ ')' -%}
                {%- endif -%}
                {%- do args.append(arg) -%}
                {%- set ns.scans = ns.scans + reads[input] -%}
            {%- endfor -%}
            {%- if m.type == 'ratio' -%}
                {%- set formula = 'cast(' ~ args[0] ~ ' as ' ~ csw_double() ~ ') / cast(nullif('
                    ~ args[1] ~ ', 0) as ' ~ csw_double() ~ ')' -%}
            {%- else -%}
                {%- set ns.formula = m.expr -%}
                {%- for input in input_names -%}
                    {%- set ns.formula = modules.re.sub('\\b' ~ input ~ '\\b', '__csw_input_' ~ loop.index ~ '__', ns.formula) -%}
                {%- endfor -%}
                {%- for arg in args -%}
                    {%- set ns.formula = ns.formula | replace('__csw_input_' ~ loop.index ~ '__', '(' ~ arg ~ ')') -%}
                {%- endfor -%}
                {%- set formula = ns.formula -%}
            {%- endif -%}
            {%- set scans_read = ns.scans | unique | list -%}
            {%- set present = [] -%}
            {%- for scan_name in scans_read -%}
                {%- do present.append(scan_name ~ '.segment is not null') -%}
            {%- endfor -%}
            {%- do value_sql.update({name: 'case when ' ~ present | join(' or ') ~ ' then ' ~ formula ~ ' end'}) -%}
            {%- do reads.update({name: scans_read}) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set agg_exprs = {
        'sum': 'sum(base.{})',
        'count': 'count(base.{})',
        'count_distinct': 'count(distinct base.{})',
        'max': 'max(base.{})',
        'min': 'min(base.{})',
        'average': 'avg(base.{})',
    } -%}
    {%- set scan_list = scans.values() | list -%}
    {%- set sql -%}
with

{% for scan in scan_list %}
{%- set base %}(
        select
            cast({{ dbt.date_trunc('month', scan.time_expr) }} as date) as csw_month
            {%- for name in scan.metrics %},
            {{ info[name].expr }} as {{ 'in__' ~ name }}
            {%- endfor %}
            {%- if scan.cm_expr %},
            {{ scan.cm_expr }} as csw_customer_month
            {%- endif %}
        from {{ scan.relation }}
    ) as base{% endset %}
{{ 'scan__' ~ scan.name }} as (
    select
        base.csw_month as month,
        cast('all' as {{ dbt.type_string() }}) as segment
        {%- for name in scan.metrics %},
        {{ agg_exprs[info[name].agg].format('in__' ~ name) }} as {{ 'v__' ~ name }}
        {%- endfor %}
    from {{ base }}
    group by base.csw_month
    {%- if scan.segment %}
    union all
    select
        base.csw_month as month,
        cast(customer_months.{{ scan.segment }} as {{ dbt.type_string() }}) as segment
        {%- for name in scan.metrics %},
        {{ agg_exprs[info[name].agg].format('in__' ~ name) }} as {{ 'v__' ~ name }}
        {%- endfor %}
    from {{ base }}
    inner join {{ customer_months }} as customer_months
        on base.csw_customer_month = customer_months.customer_month
    where customer_months.{{ scan.segment }} is not null
    group by base.csw_month, customer_months.{{ scan.segment }}
    {%- endif %}
),
{% endfor %}
{#- Every scan side by side, one row per month and segment that any scan has (a scan's
    segment is never NULL, so `<scan>.segment is not null` says the scan has the row). #}
{%- set keys = namespace(months=[], segments=[]) %}
{%- for scan in scan_list %}
    {%- set keys.months = keys.months + [scan.name ~ '.month'] %}
    {%- set keys.segments = keys.segments + [scan.name ~ '.segment'] %}
{%- endfor %}
wide as (
    select
        {{ csw_coalesce_list(keys.months) }} as month,
        {{ csw_coalesce_list(keys.segments) }} as segment
        {%- for name in order %},
        {{ value_sql[name] }} as {{ 'm__' ~ name }}
        {%- endfor %}
    from {{ 'scan__' ~ scan_list[0].name }} as {{ scan_list[0].name }}
    {%- for next in scan_list[1:] %}
    full outer join {{ 'scan__' ~ next.name }} as {{ next.name }}
        on
            {{ csw_coalesce_list(keys.months[:loop.index]) }} = {{ next.name }}.month
            and {{ csw_coalesce_list(keys.segments[:loop.index]) }} = {{ next.name }}.segment
    {%- endfor %}
),

metric_names as (
{%- for name in order %}
    select
        cast('{{ name }}' as {{ dbt.type_string() }}) as metric_name,
        cast({{ "'customer_month__" ~ info[name].segment ~ "'" if info[name].segment else 'null' }} as {{ dbt.type_string() }}) as segment_dimension
    {{ 'union all' if not loop.last }}
{%- endfor %}
),

{#- One row per metric, month and segment: a metric without a segment dimension only in
    'all'. Each value to decimal inside the case, before any union of types: the ratios'
    doubles would otherwise turn exact sums into doubles, whose decimal digits each engine
    spells differently. #}
metrics as (
    select
        metric_names.metric_name,
        wide.month,
        wide.segment,
        metric_names.segment_dimension,
        case metric_names.metric_name
            {%- for name in order %}
            when '{{ name }}' then {{ csw_metric_value_to_decimal('wide.m__' ~ name) }}
            {%- endfor %}
        end as value
    from wide
    cross join metric_names
    where
        wide.month is not null
        and (metric_names.segment_dimension is not null or wide.segment = 'all')
)

select
    metric_name,
    cast(month as date) as month,  -- noqa: RF04
    segment,
    segment_dimension,
    cast(value as decimal(38, 10)) as value
from metrics
where value is not null
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}


{#- The first non-NULL of a list of expressions (the expression itself for a list of one). -#}
{% macro csw_coalesce_list(expressions) %}
    {{- return(expressions[0] if expressions | length == 1 else 'coalesce(' ~ expressions | join(', ') ~ ')') -}}
{% endmacro %}


{#- A metric's value as decimal(38, 10): the double's shortest text form (the digits that read
    back as the same double), rounded half away from zero to 10 decimals, on every engine.
    - Spark's cast of a double to decimal already reads Double.toString.
    - PostgreSQL's own cast keeps only 15 significant digits (DBL_DIG): ARPA came out one unit
      apart in the tenth decimal (3577.4091390729 against 3577.4091390728). Its text form is the
      shortest one (extra_float_digits >= 1, the default since PostgreSQL 12).
    - DuckDB's own cast rounds the double's binary value: 4.10 / 5120 = 0.00080078125, an exact
      half, is stored as 0.000800781249999..., which gave 0.0008007812 where the text form
      gives 0.0008007813 (and 123456789.123 gave 123456789.1229999872). -#}
{% macro csw_metric_value_to_decimal(expression) %}
    {{- return(adapter.dispatch('csw_metric_value_to_decimal', 'customer_success_warehouse')(expression)) -}}
{% endmacro %}

{#- DuckDB and PostgreSQL: through the text form. -#}
{% macro default__csw_metric_value_to_decimal(expression) %}
    {{- return('cast(cast(' ~ expression ~ ' as varchar) as decimal(38, 10))') -}}
{% endmacro %}

{#- Spark: its own cast already reads the shortest text. -#}
{% macro spark__csw_metric_value_to_decimal(expression) %}
    {{- return('cast(' ~ expression ~ ' as decimal(38, 10))') -}}
{% endmacro %}


{#- Double-precision type name per engine (ratio metrics divide as MetricFlow does). -#}
{% macro csw_double() %}
    {{- return('double precision' if target.type == 'postgres' else 'double') -}}
{% endmacro %}
