{#-
    The daily run of the health snapshot (DECISIONS.md, "Health snapshots: recompute from the
    first changed month"): int_customer_health__input_fingerprints finds the customers whose
    inputs changed, int_customer_health__snapshot_months (ephemeral) lists the customer months
    to recompute, and the components and fct_customer_health delete+insert them.
-#}

{#- The incremental models of the health snapshot, in the order they are built. -#}
{% macro csw_health_incremental_models() -%}
    {{ return([
        'int_customer_health__adoption', 'int_customer_health__engagement',
        'int_customer_health__support', 'int_customer_health__sentiment',
        'int_customer_health__financial', 'int_customer_health__components',
        'fct_customer_health',
    ]) }}
{%- endmacro %}

{#- md5 of the code that turns the fingerprinted inputs into the snapshot: part of the scoring
    fingerprint, so that a change of that code recomputes every customer month. It covers the SQL
    of those models and int_customer_health__snapshot_months, the text of every project macro they
    call (csw_health_code_macros, directly or through another macro) and the dbt version (dbt's and
    the adapter's macros; the adapter is pinned with it). A project macro that a covered model or
    macro calls and csw_health_code_macros does not list stops the build, naming both. Empty in a
    unit test (its graph has no nodes). -#}
{% macro csw_health_code_md5() -%}
    {%- set names = csw_health_incremental_models() + ['int_customer_health__snapshot_months'] -%}
    {%- set code = [] -%}
    {%- set callers = [] -%}
    {%- if execute -%}
        {%- for node in graph.get('nodes', {}).values() | sort(attribute='unique_id') -%}
            {%- if node.resource_type == 'model' and node.name in names -%}
                {%- do code.append(node.raw_code) -%}
                {%- do callers.append((node.name, node.depends_on.macros)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if callers -%}
        {%- set listed = {} -%}
        {%- for generator in csw_health_code_macros() -%}
            {%- do listed.update({generator.macro.unique_id: generator.macro}) -%}
        {%- endfor -%}
        {%- for unique_id, macro in listed | dictsort -%}
            {%- do code.append(macro.macro_sql) -%}
            {%- do callers.append((macro.name, macro.depends_on.macros)) -%}
        {%- endfor -%}
        {%- for caller, called in callers -%}
            {%- for unique_id in called
                if unique_id.startswith('macro.' ~ project_name ~ '.') and unique_id not in listed -%}
                {%- do exceptions.raise_compiler_error(
                    "csw_health_code_md5: " ~ caller ~ " calls " ~ unique_id.split('.')[-1]
                    ~ ", which csw_health_code_macros() (macros/health/csw_health_incremental.sql) does"
                    ~ " not list: add it (with every adapter's implementation of a dispatched macro),"
                    ~ " so that a change of it recomputes the health snapshot") -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- do code.append('dbt ' ~ dbt_version) -%}
    {%- endif -%}
    {{ return(local_md5(code | join('\n'))) }}
{%- endmacro %}

{#- The project macros the health snapshot's code calls, directly or through another macro, and
    every adapter's implementation of a dispatched one (csw_health_code_md5 checks the list is
    complete for the adapter it runs on). -#}
{% macro csw_health_code_macros() -%}
    {{ return([
        csw_health_incremental_models, csw_health_recompute_all, csw_health_snapshot_config,
        csw_health_delete_months_left_spine, csw_health_apply_input_fingerprints,
        csw_health_components,
        csw_health_component_weights, default__csw_health_component_weights,
        csw_health_score_parts, default__csw_health_score_parts,
        csw_health_banded, default__csw_health_banded,
        csw_div_round_half_up, default__csw_div_round_half_up, duckdb__csw_div_round_half_up,
        spark__csw_div_round_half_up,
        csw_ratio, csw_scaled_int, csw_in_days_up_to, csw_fill_template, csw_join_payment_customer,
        csw_incremental_stamp, csw_incremental_materialization, csw_incremental_delete_missing,
        csw_analyze_after_build, default__csw_analyze_after_build, postgres__csw_analyze_after_build,
    ]) }}
{%- endmacro %}

{#- Whether this run computes every customer month: yes with --full-refresh, on an engine where
    the health models are tables (Spark), and when any of them has no table yet (it is built in
    full, so all of them must see every customer month). -#}
{% macro csw_health_recompute_all() -%}
    {%- set decision = namespace(recompute_all=flags.FULL_REFRESH) -%}
    {%- if execute -%}
        {%- for name in csw_health_incremental_models() -%}
            {%- set node = graph.nodes['model.customer_success_warehouse.' ~ name] -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias
            ) -%}
            {%- if relation is none or node.config.materialized != 'incremental' -%}
                {%- set decision.recompute_all = true -%}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {%- set decision.recompute_all = true -%}
    {%- endif -%}
    {{ return(decision.recompute_all) }}
{%- endmacro %}

{#- The config of fct_customer_health, incremental like the health components (dbt_project.yml,
    folder intermediate/customer_success/health): delete+insert on customer and month (a table on
    Spark), new columns added; post-hooks delete the customer months that left the spine
    (csw_health_delete_months_left_spine) and, the
    snapshot being rebuilt, mark the input fingerprints applied (csw_health_apply_input_fingerprints). -#}
{% macro csw_health_snapshot_config() -%}
    {{ return({
        'materialized': csw_incremental_materialization(),
        'incremental_strategy': 'delete+insert',
        'unique_key': ['customer_id', 'month'],
        'on_schema_change': 'append_new_columns',
        'post_hook': [
            "{{ csw_health_delete_months_left_spine() }}",
            "{{ csw_health_apply_input_fingerprints('delete_vanished') }}",
            "{{ csw_health_apply_input_fingerprints('mark_applied') }}",
        ],
    }) }}
{%- endmacro %}

{#- The last post-hook of fct_customer_health, on every build but Spark's (tables): the snapshot is
    rebuilt from the fingerprints not applied yet, so mark them applied and delete those of inputs
    that vanished (NULL). Until then a failed run leaves them for the next; afterwards the table
    holds the current inputs only, as a full build does. -#}
{% macro csw_health_apply_input_fingerprints(step) -%}
    {#- the ref outside the condition, so that parsing records the dependency -#}
    {%- set fingerprints = ref('int_customer_health__input_fingerprints') -%}
    {%- set fingerprints_kept = csw_incremental_materialization() == 'incremental' -%}
    {%- if fingerprints_kept and step == 'delete_vanished' -%}
    delete from {{ fingerprints }} where fingerprint is null
    {%- elif fingerprints_kept and step == 'mark_applied' -%}
    update {{ fingerprints }} set _csw_is_applied = true where not _csw_is_applied
    {%- endif -%}
{%- endmacro %}

{#- The post-hook of every health model (the folder config in dbt_project.yml, and
    fct_customer_health's): delete the customer months that left the spine (a month that lost
    its MRR to a late cancellation), which delete+insert does not (it deletes only the keys it
    inserts). They are the spine fingerprints this run or a failed earlier one set to NULL, not
    yet deleted by fct_customer_health's post-hook: a probe of those few keys, where an
    anti-join of the whole table against the spine took 0.35-0.45 s per model at 100k accounts.
    The anti-join (csw_incremental_delete_missing) stays for when no fingerprint is applied yet:
    the fingerprints were just built in full (first build of that model, or a database from
    before it) and cannot know which months the health tables held. Renders nothing on a full
    build. -#}
{% macro csw_health_delete_months_left_spine() -%}
    {#- the refs outside the condition, so that parsing records the dependencies -#}
    {%- set spine = ref('int_customer_months__customer_success_snapshot') -%}
    {%- set fingerprints = ref('int_customer_health__input_fingerprints') -%}
    {%- if this is not none and is_incremental() -%}
        {%- set probe = run_query(
            'select 1 from ' ~ fingerprints ~ ' where _csw_is_applied limit 1') -%}
        {%- if probe.rows | length > 0 -%}
    delete from {{ this }}
    where exists (
        select 1 from {{ fingerprints }} as left_spine
        where
            left_spine.input_name = 'spine'
            and left_spine.fingerprint is null
            and left_spine.customer_id = {{ this.identifier }}.customer_id
            and left_spine.month = {{ this.identifier }}.month
    )
        {%- else -%}
    {{ csw_incremental_delete_missing(spine, ['customer_id', 'month']) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
