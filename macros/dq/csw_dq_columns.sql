{#-
    The bookkeeping columns every base model carries (docs/design.md, "Staging rules"), written
    once here instead of in each of the 18 base models.

    csw_dq_parsed_columns(key_columns, checks=[], required=[], with_file_id=false): the select
    items of a base model's `parsed` CTE after its own columns: `_loaded_at` and `_is_deleted`
    parsed, the raw `_loaded_at` text, the raw file and row, `_source_file_id` for the
    incremental models, the record key, the null-key flag and `_unparseable_reason`
    (csw_unparseable_reason of the model's `checks`, then `_loaded_at` and `_is_deleted`, and
    its `required` columns) that `csw_dq_status` reads.

    csw_dq_final_columns(with_file_id=false): the same columns as a base model's output, after its
    own columns: those above (without `_has_null_key`) plus `_dq_status` and `_dq_reason`.

    csw_staged_columns(): the bookkeeping columns a staging view keeps of its base model, after
    its own columns: `_loaded_at` and the raw file and row.
-#}

{%- macro csw_dq_parsed_columns(key_columns, checks=[], required=[], with_file_id=false) -%}
{{ csw_parse_timestamp('_loaded_at') }} as _loaded_at,
        {{ csw_parse_boolean('_is_deleted') }} as _is_deleted,
        _loaded_at as _loaded_at_raw,
        _source_file,
        _source_row_number,
        {%- if with_file_id %}
        _source_file_id,
        {%- endif %}
        {{ csw_record_key(key_columns) }} as _record_key,
        {{ csw_has_null(key_columns) }} as _has_null_key,
        {{ csw_unparseable_reason(
            checks + [('_loaded_at', 'timestamp'), ('_is_deleted', 'boolean')],
            required=required,
        ) }} as _unparseable_reason
{%- endmacro -%}


{%- macro csw_dq_final_columns(with_file_id=false) -%}
_loaded_at,
        _loaded_at_raw,
        _is_deleted,
        _source_file,
        _source_row_number,
        {%- if with_file_id %}
        _source_file_id,
        {%- endif %}
        _record_key,
        _dq_status,
        _dq_reason
{%- endmacro -%}


{%- macro csw_staged_columns() -%}
_loaded_at,
        _source_file,
        _source_row_number
{%- endmacro -%}
