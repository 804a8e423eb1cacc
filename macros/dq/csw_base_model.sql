{#-
    The whole SQL of a base model (docs/design.md, "Staging rules"), written once here: each of the
    18 base models only declares what is its own, e.g.

        {{ csw_base_model(
            ('billing', 'invoices'),
            key=['invoice_id'],
            incremental=true,
            columns=[('invoice_id', 'text'), ('issued_on', 'date'), ('status', 'text'), ...],
            required=['billing_account_id', 'issued_on', 'subtotal', 'status'],
            rules=[csw_rule_accepted('status', ['paid', 'open', 'void', 'uncollectible'])],
        ) }}

    source_table  (source_name, table_name) of the raw table.
    key           the key columns (raw names; csw_dq_status dedupes on them).
    incremental   an incremental base model (macros/incremental/csw_incremental.sql): sets the
                  model's config to csw_incremental_config of the raw table, reads only the keys of
                  raw files not built yet (csw_incremental_source), keeps `_source_file_id` and
                  adds the run stamp (csw_incremental_stamp: the incremental models downstream
                  read what a run wrote by it, and the model's data tests check only those rows
                  on a daily csw build).
    narrow_by     (incremental only, optional) a key column with few distinct values among a
                  daily file's rows (the usage date): the key filter first narrows the raw rows
                  to those values (csw_incremental_key_filter).
    columns       (raw name, data type) pairs in output order; the data type is one of csw_parse
                  (text, email, integer, bigint, decimal(p,s), date, timestamp, boolean). The parse
                  checks of csw_dq_parsed_columns are the columns that are not text or email, in
                  this order.
    required      raw columns a rule downstream needs (csw_dq_parsed_columns: null_required).
    rules         the row's rules, first failing one wins: (condition, reason) pairs of SQL on the
                  parsed columns and a reason code, or the helpers below.

    CTEs rendered, in order: `source`; `versioned_keys` (on DuckDB, the record keys with more
    than one raw row, when every key column is text or a date: csw_dq_status ranks only their
    rows); one lookup CTE per csw_rule_orphan; `parsed` (csw_parse of each column, then
    csw_dq_parsed_columns, and `_has_versions`); `checked` (only with rules: `_rule_violation`, the
    parse reason, else the reason of the first true rule; `parsed` left joined to each lookup, so
    a condition names a parsed column unqualified unless a lookup has it too); `deduplicated`
    (csw_dq_status of `checked`, or of `parsed` by `_unparseable_reason` without rules); `final`
    (the columns, csw_dq_final_columns, the run stamp of an incremental model).

    Rule helpers:
      csw_rule_accepted(column, values)          `column` NULL or not one of `values`
                                                 (csw_not_accepted) -> 'unknown_value:<column>'
      csw_rule_orphan(column, lookup, relation)  no row of `relation` (a staging view) has the
                                                 row's `column` -> 'orphan:<column>'; `lookup`
                                                 names the CTE reading it
-#}

{%- macro csw_base_model(
    source_table, key, columns, required=[], rules=[], incremental=false, narrow_by=none
) -%}
{%- set source_name, table_name = source_table -%}
{%- if incremental -%}
    {%- do config(**csw_incremental_config(source_name, table_name)) -%}
{%- endif -%}
{%- set checks = [] -%}
{%- for column, data_type in columns if data_type | lower not in ('text', 'email') -%}
    {%- do checks.append((column, data_type)) -%}
{%- endfor -%}
{%- set rules = csw_base_model_rules(rules) -%}
{%- set relation = 'checked' if rules else 'parsed' -%}
{#- On DuckDB, only the rows of a key with more than one raw row go through the dedupe's
    window (csw_dq_status): a key's record key (its trimmed raw text) names its rows when parsing
    is one-to-one on that text, as it is for text and date keys. -#}
{%- set key_types = [] -%}
{%- for column, data_type in columns if column in key -%}
    {%- do key_types.append(data_type | lower) -%}
{%- endfor -%}
{%- set split_versions = csw_dedupe_splits_versions()
    and key_types | length == key | length
    and key_types | reject('in', ['text', 'date']) | list | length == 0 -%}
{%- set inline = csw_not_materialized() if split_versions else '' %}
with

source as {{ inline }} (

    {% if incremental -%}
    {{ csw_incremental_source(source_name, table_name, key, narrow_by) }}
    {%- else -%}
    select * from {{ source(source_name, table_name) }}
    {%- endif %}

),
{%- if split_versions %}

versioned_keys as (

    select {{ csw_record_key(key) }} as _versioned_record_key
    from source
    group by {{ csw_record_key(key) }}
    having count(*) > 1

),
{%- endif %}
{%- for rule in rules if rule.lookup %}

{{ rule.lookup }} as (

    select distinct {{ rule.column }} from {{ rule.relation }}

),
{%- endfor %}

parsed as {{ inline }} (

    select
        {%- for column, data_type in columns %}
        {{ csw_parse(column, data_type) }} as {{ column }},
        {%- endfor %}
        {{ csw_dq_parsed_columns(key, checks=checks, required=required, with_file_id=incremental) }}
        {%- if split_versions -%},
        versioned_keys._versioned_record_key is not null as _has_versions
        {%- endif %}

    from source
    {%- if split_versions %}
    left join versioned_keys
        on {{ csw_record_key(key) }} = versioned_keys._versioned_record_key
    {%- endif %}

),
{%- if rules %}

checked as {{ inline }} (

    select
        parsed.*,
        coalesce(
            parsed._unparseable_reason,
            case
                {%- for rule in rules %}
                when {{ rule.condition }}
                    then '{{ rule.reason }}'
                {%- endfor %}
            end
        ) as _rule_violation

    from parsed
    {%- for rule in rules if rule.lookup %}
    left join {{ rule.lookup }}
        on parsed.{{ rule.column }} = {{ rule.lookup }}.{{ rule.column }}
    {%- endfor %}

),
{%- endif %}

deduplicated as (

    {{ csw_dq_status(
        relation, key, rule_violation='_rule_violation' if rules else '_unparseable_reason',
        split_by='_has_versions' if split_versions else none
    ) }}

),

final as (

    select
        {%- for column, data_type in columns %}
        {{ column }},
        {%- endfor %}
        {{ csw_dq_final_columns(with_file_id=incremental) }}
        {%- if incremental -%},
        {{ csw_incremental_stamp() }}
        {%- endif %}

    from deduplicated

)

select * from final
{%- endmacro -%}


{#- Rules as dicts (condition, reason, and for an orphan rule lookup, column, relation). -#}
{%- macro csw_base_model_rules(rules) -%}
    {%- set normalized = [] -%}
    {%- for rule in rules -%}
        {%- if rule is mapping -%}
            {%- do normalized.append(rule) -%}
        {%- else -%}
            {%- do normalized.append({'condition': rule[0], 'reason': rule[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(normalized) }}
{%- endmacro -%}


{#- Rule of csw_base_model: `column` is NULL or not one of `values` -> 'unknown_value:<column>'. -#}
{%- macro csw_rule_accepted(column, values) -%}
    {{ return({
        'condition': csw_not_accepted(column, values),
        'reason': 'unknown_value:' ~ column,
    }) }}
{%- endmacro -%}


{#-
    Rule of csw_base_model: no row of `relation` has the row's `column` -> 'orphan:<column>'. The
    model reads `relation` in a CTE named `lookup` (select distinct `column`), left joined to
    `parsed` on `column`.
-#}
{%- macro csw_rule_orphan(column, lookup, relation) -%}
    {{ return({
        'condition': lookup ~ '.' ~ column ~ ' is null',
        'reason': 'orphan:' ~ column,
        'lookup': lookup,
        'column': column,
        'relation': relation,
    }) }}
{%- endmacro -%}


{#- Whether csw_dq_status ranks only the rows of keys with versions (csw_base_model). On DuckDB
    the one window over every raw row sorted and spilled the 45M usage rows at 100k accounts;
    PostgreSQL and Spark keep the single window, which is what their cross-engine builds
    measured and compared. -#}
{%- macro csw_dedupe_splits_versions() -%}
    {{ return(adapter.dispatch('csw_dedupe_splits_versions', 'customer_success_warehouse')()) }}
{%- endmacro -%}

{%- macro default__csw_dedupe_splits_versions() -%}
    {{ return(false) }}
{%- endmacro -%}

{%- macro duckdb__csw_dedupe_splits_versions() -%}
    {{ return(true) }}
{%- endmacro -%}
