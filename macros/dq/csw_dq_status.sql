{#-
    Shared dedupe / status logic of every base model (docs/design.md, "Staging rules" 2).

    `relation` is a CTE with, per raw row: the typed key columns, `_has_null_key` (a key column is
    blank in the raw text), `_loaded_at` (typed), `_loaded_at_raw` (its raw text), `_is_deleted`
    (typed), `_source_row_number`, `_unparseable_reason` (csw_unparseable_reason) and
    `_rule_violation` (first failing rule of the row as a reason code, or NULL).

    Adds, in this order of precedence:
      - quarantined: `null_key`; `out_of_range:<key column>` (a date key outside the plausible
        range, as csw_unparseable_reason reports it: list a date key first there) or
        `unparseable:<key column>` (key text does not parse); `out_of_range:_loaded_at` (year
        outside 1900-2200 or offset beyond +-14:00, csw_implausible_datetime on the raw text, the
        same on every engine; or after the start of this run plus a tolerance,
        csw_loaded_at_limit: an extract cannot come from the future, and one such row would move
        the default as-of date) or `unparseable:_loaded_at` (missing or unparseable): such rows
        cannot take part in dedupe;
      - superseded: another eligible row with the same key has a later `_loaded_at` (ties: the
        later row wins, in the later file by name, then with the higher `_source_row_number`);
      - deleted: the winning row has `_is_deleted = true` (NULL = not deleted);
      - quarantined: the winning row has a `_rule_violation` (that code is the reason);
      - staged: everything else.
    Output columns: everything in `relation` plus `_dq_status` and `_dq_reason` (NULL unless
    quarantined).

    `split_by` (optional) names a boolean column of `relation`, true for the rows whose key has
    other raw rows (csw_base_model's `_has_versions`): only those are ranked by the window; any
    other row is alone in its partition and ranks 1. `relation` is then read twice, so the model
    must not materialize it (csw_not_materialized).

    `rule_violation` names the column with the row's rule violation: `_rule_violation` from the
    model's `checked` CTE, or `_unparseable_reason` for a table whose only rules are the parse
    checks of csw_dq_parsed_columns (then `relation` is the `parsed` CTE itself and the model
    needs no pass-through `checked` step).
-#}
{%- macro csw_dq_status(relation, key_columns, rule_violation='_rule_violation', split_by=none) -%}
    select
        ranked.*,
        case
            when ranked._dedupe_block_reason is not null then 'quarantined'
            when ranked._version_rank > 1 then 'superseded'
            when ranked._is_deleted then 'deleted'
            when ranked.{{ rule_violation }} is not null then 'quarantined'
            else 'staged'
        end as _dq_status,
        case
            when ranked._dedupe_block_reason is not null then ranked._dedupe_block_reason
            when ranked._version_rank > 1 then null
            when ranked._is_deleted then null
            else ranked.{{ rule_violation }}
        end as _dq_reason
    from (
        {%- if split_by %}
        {#- A row whose key has no other raw row is alone in its partition: rank 1 without the
            window, which at 100k accounts sorted and spilled all 45M usage rows to rank the 2%
            that have versions. -#}
        select
            blocked.*,
            1 as _version_rank
        from ({{ csw_dq_blocked(relation, key_columns, 'not ' ~ relation ~ '.' ~ split_by) }}) as blocked

        union all

        select
            blocked.*,
            {{ csw_dq_version_rank(key_columns) }} as _version_rank
        from ({{ csw_dq_blocked(relation, key_columns, relation ~ '.' ~ split_by) }}) as blocked
        {%- else %}
        select
            blocked.*,
            {{ csw_dq_version_rank(key_columns) }} as _version_rank
        from ({{ csw_dq_blocked(relation, key_columns) }}) as blocked
        {%- endif %}
    ) as ranked
{%- endmacro -%}


{#- Rank of a row among the eligible rows of its key (1 = the version that counts). -#}
{%- macro csw_dq_version_rank(key_columns) -%}
    row_number() over (
                partition by
                    blocked._dedupe_block_reason is null,
                    {%- for key in key_columns %}
                    blocked.{{ key }}{{ ',' if not loop.last }}
                    {%- endfor %}
                order by blocked._loaded_at desc, blocked._source_file desc, blocked._source_row_number desc
            )
{%- endmacro -%}


{#- The rows of `relation` (those where `condition` holds, if given) with `_dedupe_block_reason`:
    why the row cannot take part in dedupe, or NULL. -#}
{%- macro csw_dq_blocked(relation, key_columns, condition=none) -%}
            select
                {{ relation }}.*,
                case
                    when {{ relation }}._has_null_key then 'null_key'
                    {%- for key in key_columns %}
                    when
                        {{ relation }}.{{ key }} is null
                        and {{ relation }}._unparseable_reason = 'out_of_range:{{ key }}'
                        then 'out_of_range:{{ key }}'
                    when {{ relation }}.{{ key }} is null then 'unparseable:{{ key }}'
                    {%- endfor %}
                    when
                        {{ relation }}._loaded_at is null
                        and {{ csw_implausible_datetime(
                            csw_parse_text(relation ~ '._loaded_at_raw'), true
                        ) }}
                        then 'out_of_range:_loaded_at'
                    when {{ relation }}._loaded_at is null then 'unparseable:_loaded_at'
                    when {{ relation }}._loaded_at > {{ csw_loaded_at_limit() }}
                        then 'out_of_range:_loaded_at'
                end as _dedupe_block_reason
            from {{ relation }}
            {%- if condition %}
            where {{ condition }}
            {%- endif %}
{%- endmacro -%}


{#- True when any of the raw key columns is blank (NULL or only whitespace). -#}
{%- macro csw_has_null(columns) -%}
    (
    {%- for column in columns %}
        {{ csw_parse_text(column) }} is null{{ ' or' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro -%}


{#- Record key: cleaned raw key values joined by '|', NULL as ''. -#}
{%- macro csw_record_key(columns) -%}
    {%- if columns | length == 1 -%}
        coalesce({{ csw_parse_text(columns[0]) }}, '')
    {%- else -%}
        {%- for column in columns -%}
            coalesce({{ csw_parse_text(column) }}, ''){{ " || '|' || " if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro -%}


{#- (column is NULL or not one of values): an enum check where NULL is not an accepted value. -#}
{%- macro csw_not_accepted(column, values) -%}
    ({{ column }} is null or {{ column }} not in (
        {%- for value in values -%}
            {{ csw_quote_literal(value) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    ))
{%- endmacro -%}


{#-
    Latest plausible `_loaded_at`: the start of this dbt run (UTC) plus var
    `csw_loaded_at_tolerance_minutes` (default 60, for clocks of extract tools that run a little
    ahead), as a timestamp literal.
-#}
{%- macro csw_loaded_at_limit() -%}
    {%- set tolerance = var('csw_loaded_at_tolerance_minutes', 60) | int -%}
    {%- set limit = run_started_at + modules.datetime.timedelta(minutes=tolerance) -%}
    cast('{{ limit.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro -%}
