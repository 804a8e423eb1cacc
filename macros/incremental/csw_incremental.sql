{#-
    Incremental base models (DECISIONS.md, "Incremental base models").

    csw_incremental_materialization(): 'incremental' where the adapter has a delete+insert
    strategy (DuckDB, Postgres), 'table' on Spark (no delete+insert): there every run is a full
    rebuild with the same result.

    csw_incremental_key_filter(relation, key_columns): on an incremental run, a WHERE clause that
    keeps every raw row of every key (csw_record_key) that has at least one raw row loaded within
    the lookback window: `_loaded_at` on or after max(_loaded_at) already in the target minus
    var('csw_incremental_lookback_days') days, or a `_loaded_at` that does not parse (such rows are
    quarantined; re-processing them is cheap and keeps them from being missed). A key's status
    (staged / superseded / deleted / quarantined) depends only on that key's raw rows, so
    recomputing the affected keys from ALL their raw rows and replacing them (delete+insert on
    `_record_key`) gives exactly the full-refresh result, provided raw files only grow (rows are
    appended, never rewritten or removed; otherwise run --full-refresh). Renders nothing on a full
    build.
-#}

{%- macro csw_incremental_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro -%}


{%- macro csw_incremental_key_filter(relation, key_columns) -%}
    {#- `this` is None in a unit test (which always runs the full-build SQL). -#}
    {%- if this is not none and is_incremental() -%}
        {%- set lookback_days = var('csw_incremental_lookback_days', 3) | int -%}
    where {{ csw_record_key(key_columns) }} in (
        select {{ csw_record_key(key_columns) }}
        from {{ relation }}
        where not coalesce(
            {{ csw_parse_timestamp('_loaded_at') }} < (
                select {{ dbt.dateadd('day', -lookback_days, 'max(_loaded_at)') }}
                from {{ this }}
            ),
            false
        )
    )
    {%- endif -%}
{%- endmacro -%}


{#-
    Guard of the append-only assumption, as the pre_hook of an incremental base model: when a row
    already built (its `_source_row_number` and `_raw_row_hash`) is no longer in the raw table
    exactly as built (the file was rewritten, edited or shortened), empty the target first, so
    the run recomputes every key (csw_incremental_key_filter selects all rows of an empty
    target) and no stale or vanished record survives. Renders nothing on a full build.
-#}
{%- macro csw_incremental_reset(relation, raw_columns) -%}
    {%- if this is not none and is_incremental() -%}
    delete from {{ this }}
    where exists (
        select _source_row_number, _raw_row_hash from {{ this }}
        except
        select _source_row_number, {{ csw_raw_row_hash(raw_columns) }} from {{ relation }}
    )
    {%- endif -%}
{%- endmacro -%}


{#- Hash of a raw row's text (every raw column; NULL differs from ''), to detect rewritten rows. -#}
{%- macro csw_raw_row_hash(raw_columns) -%}
    {{ adapter.dispatch('csw_raw_row_hash', 'customer_success_warehouse')(raw_columns) }}
{%- endmacro -%}

{%- macro default__csw_raw_row_hash(raw_columns) -%}
    md5(
        {%- for column in raw_columns %}
        coalesce('"' || replace({{ column }}, '"', '""') || '"', 'null'){{ " || ',' ||" if not loop.last }}
        {%- endfor %}
    )
{%- endmacro -%}

{%- macro duckdb__csw_raw_row_hash(raw_columns) -%}
    hash({{ raw_columns | join(', ') }})
{%- endmacro -%}
