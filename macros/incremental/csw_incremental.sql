{#-
    Incremental base models (DECISIONS.md, "Incremental base models: the files not built yet").

    csw_incremental_materialization(): 'incremental' where the adapter has a delete+insert
    strategy (DuckDB, Postgres), 'table' on Spark (no delete+insert): there every run is a full
    rebuild with the same result.

    csw_incremental_key_filter(relation, key_columns): on an incremental run, a WHERE clause that
    keeps every raw row of every key (csw_record_key) that has at least one raw row from a file
    this model has not built yet (`_source_file_id`, the content fingerprint the raw loader gives
    every row, not among the target's). Rows that arrive are built whatever their `_loaded_at`:
    a late extract stamped days before the last one is a new file like any other. A key's status
    (staged / superseded / deleted / quarantined) depends only on that key's raw rows, so
    recomputing the affected keys from ALL their raw rows and replacing them (delete+insert on
    `_record_key`) gives exactly the full-refresh result. Renders nothing on a full build.

    csw_incremental_config(source_name, table_name): the config of an incremental base model
    (csw_base_model(..., incremental=true) sets it; by hand:
    `{{ config(**csw_incremental_config('crm', 'activities')) }}`): the materialization above,
    delete+insert on `_record_key`, and csw_incremental_reset of its raw table as the pre_hook.

    csw_incremental_source(source_name, table_name, key_columns, narrow_by=none): the model's
    `source` CTE, the raw table with the key filter above. `narrow_by`, one of the key columns
    with few distinct values among the new files' rows (the usage date of a daily extract),
    narrows the raw rows to those values before the key is built and matched: the same rows
    (every raw row of a key shares its key columns' text), without the key's concatenation of
    every raw row (100k accounts, the 45M usage rows with a day's file new: 1.8-2.3 s -> 0.5-0.6 s
    for the filter alone).

    csw_incremental_reset(relation), the pre_hook: when the target holds a row of a file that is
    no longer in the raw table (the file was rewritten or removed, so the loader reloaded the
    table in full), empty the target first; the key filter then selects every raw row, and no
    stale or vanished record survives. Renders nothing on a full build.
-#}

{%- macro csw_incremental_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro -%}


{%- macro csw_incremental_config(source_name, table_name) -%}
    {{ return({
        'materialized': csw_incremental_materialization(),
        'incremental_strategy': 'delete+insert',
        'unique_key': '_record_key',
        'pre_hook': "{{ csw_incremental_reset(source('" ~ source_name ~ "', '" ~ table_name ~ "')) }}",
    }) }}
{%- endmacro -%}


{%- macro csw_incremental_source(source_name, table_name, key_columns, narrow_by=none) -%}
    select * from {{ source(source_name, table_name) }}
    {{ csw_incremental_key_filter(source(source_name, table_name), key_columns, narrow_by) }}
{%- endmacro -%}


{%- macro csw_incremental_key_filter(relation, key_columns, narrow_by=none) -%}
    {#- `this` is None in a unit test (which always runs the full-build SQL). -#}
    {%- if this is not none and is_incremental() -%}
    {%- if narrow_by is not none and narrow_by not in key_columns -%}
        {%- do exceptions.raise_compiler_error(
            'csw_incremental_key_filter: narrow_by ' ~ narrow_by ~ ' is not a key column of ' ~ this) -%}
    {%- endif -%}
    {%- set new_rows -%}
        from {{ relation }}
        where _source_file_id not in (
            select distinct built._source_file_id
            from {{ this }} as built
        )
    {%- endset %}
    where
        {%- if narrow_by is not none %}
        {{ csw_record_key([narrow_by]) }} in (
            select {{ csw_record_key([narrow_by]) }}
            {{ new_rows }}
        )
        and
        {%- endif %}
        {{ csw_record_key(key_columns) }} in (
            select {{ csw_record_key(key_columns) }}
            {{ new_rows }}
        )
    {%- endif -%}
{%- endmacro -%}


{%- macro csw_incremental_reset(relation) -%}
    {%- if this is not none and is_incremental() -%}
    {#- distinct on both sides first: the same set, but an EXCEPT of the rows hashed all 45M file
        ids of each side at 100k accounts (4.5-7 s against 0.1 s) -#}
    delete from {{ this }}
    where exists (
        select distinct built._source_file_id from {{ this }} as built
        except
        select distinct raw_rows._source_file_id from {{ relation }} as raw_rows
    )
    {%- endif -%}
{%- endmacro -%}


{#-
    csw_incremental_stamp(): the two run-metadata columns every row an incremental model writes
    carries (DECISIONS.md, "Incremental downstream models"): `_csw_invocation_id`, the dbt
    invocation that wrote the row (the data tests of a daily `csw build` check only those rows,
    macros/incremental/csw_test_where.sql), and `_csw_built_at`, that invocation's start time: a
    model reading an incremental model aggregates again only what was written after its own last
    build (csw_incremental_downstream_reset, int_workspace_usage__account_month). Both differ from
    a full-refresh build by design; nothing downstream of the model that owns them reads them as data.
-#}

{%- macro csw_incremental_stamp() -%}
    {{ dbt.cast("'" ~ invocation_id ~ "'", 'varchar') }} as _csw_invocation_id,
    {{ dbt.cast("'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'", dbt.type_timestamp()) }}
    as _csw_built_at
{%- endmacro -%}


{#-
    csw_incremental_downstream_reset(upstream, watermark), the pre_hook of a model aggregating an
    incremental model `upstream` (both stamped by csw_incremental_stamp; this model keeps in the
    column `watermark`, by default `_csw_upstream_built_at`, the latest upstream write it
    aggregated, or with `_csw_built_at` its own run stamp: upstream rows written after its last
    build are newer): when every upstream row was written after this model's last build (the
    upstream was reset because a raw file was rewritten or removed, or rebuilt with
    --full-refresh), empty this model first, so that run aggregates everything again and no group
    of vanished rows survives. Renders nothing on a full build.
-#}

{%- macro csw_incremental_downstream_reset(upstream, watermark='_csw_upstream_built_at') -%}
    {%- if this is not none and is_incremental() -%}
    delete from {{ this }}
    where (select min(upstream_rows._csw_built_at) from {{ upstream }} as upstream_rows)
        > (select max(built.{{ watermark }}) from {{ this }} as built)
    {%- endif -%}
{%- endmacro -%}


{#-
    csw_incremental_written_since(upstream, watermark), in the incremental branch of such a model:
    the rows of `upstream` written after the latest write this model recorded in its column
    `watermark` (the same column its csw_incremental_downstream_reset compares), every upstream
    row when this model is empty. A CTE of its own, not a filter of the model's full import, so
    that no CTE is read twice (an engine may materialize such a CTE: the whole upstream).
-#}

{%- macro csw_incremental_written_since(upstream, watermark='_csw_upstream_built_at') -%}
    select * from {{ upstream }}
    where _csw_built_at > coalesce(
        (select max(built.{{ watermark }}) from {{ this }} as built),
        {{ dbt.cast("'1900-01-01'", dbt.type_timestamp()) }}
    )
{%- endmacro -%}


{#-
    csw_incremental_touched_keys(upstream, keys, required), in the incremental branch of an
    aggregate over a stamped upstream (int_workspace_usage__account_month,
    int_crm_activities__account_month): two CTEs, `written_since` (the rows of `upstream`
    csw_incremental_written_since returns) and `touched_keys`, the distinct group keys of those
    rows (`keys`: (name, SQL expression) pairs), without the rows where a column of `required` is
    NULL (they belong to no group). The model recomputes exactly the groups in `touched_keys`
    from all upstream rows; since the upstream rewrites every row of a key it touches, that
    includes the old group of a row superseded or deleted since.
-#}

{%- macro csw_incremental_touched_keys(upstream, keys, required) -%}
written_since as (

    -- the upstream rows written after the latest upstream write this model aggregated (every
    -- upstream row after a reset, when this model is empty)
    {{ csw_incremental_written_since(upstream) }}

),

touched_keys as (

    select distinct
        {%- for name, expression in keys %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from written_since
    where
        {%- for column in required %}
        {{ 'and ' if not loop.first }}{{ column }} is not null
        {%- endfor %}

)
{%- endmacro -%}


{#-
    csw_incremental_delete_where(condition), the post_hook of an incremental model that writes a
    placeholder row for a key recomputed but no longer in its result (delete+insert deletes only
    the keys it inserts, so the placeholder replaces the key's old row): deletes the rows matching
    `condition`, which a full build never writes. Renders nothing on a full build.
-#}

{%- macro csw_incremental_delete_where(condition) -%}
    {%- if this is not none and is_incremental() -%}
    delete from {{ this }}
    where {{ condition }}
    {%- endif -%}
{%- endmacro -%}


{#-
    csw_incremental_delete_missing(spine, keys), the post_hook of an incremental model with one
    row per row of `spine` (on `keys`) that recomputes only some keys: deletes the rows whose
    key is no longer in the spine (a customer month that lost its MRR to a late cancellation),
    which delete+insert does not (it deletes only the keys it inserts). Renders nothing on a
    full build.
-#}

{%- macro csw_incremental_delete_missing(spine, keys) -%}
    {%- if this is not none and is_incremental() -%}
    delete from {{ this }}
    where not exists (
        select 1 from {{ spine }} as spine_rows
        where
            {%- for key in keys %}
            {{ 'and ' if not loop.first }}spine_rows.{{ key }} = {{ this.identifier }}.{{ key }}
            {%- endfor %}
    )
    {%- endif -%}
{%- endmacro -%}
