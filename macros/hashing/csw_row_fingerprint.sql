{#-
    csw_row_fingerprint(columns): a 64-bit hash of a row's values, as decimal(38, 0), to be
    summed per group: `sum(csw_row_fingerprint([...]))` is an order-independent fingerprint of a
    group's rows that changes when a row is added, removed or changed (a collision is possible
    but negligible: 64 bits per row). Only compared with itself on one engine, across runs
    (int_customer_health__input_fingerprints). DuckDB's hash and the Postgres text form hash a
    NULL as a value of its own; Spark's xxhash64 skips NULLs, which does not matter there: the
    health models are tables on Spark, rebuilt in full, and never compare fingerprints.
-#}
{%- macro csw_row_fingerprint(columns) -%}
    {{ return(adapter.dispatch('csw_row_fingerprint', 'customer_success_warehouse')(columns)) }}
{%- endmacro -%}

{%- macro duckdb__csw_row_fingerprint(columns) -%}
    cast(hash({{ columns | join(', ') }}) as decimal(38, 0))
{%- endmacro -%}

{%- macro postgres__csw_row_fingerprint(columns) -%}
    cast(hashtextextended(concat_ws(
        '|',
        {%- for column in columns %}
        coalesce(cast({{ column }} as text), '\N'){{ ',' if not loop.last }}
        {%- endfor %}
    ), 0) as decimal(38, 0))
{%- endmacro -%}

{%- macro spark__csw_row_fingerprint(columns) -%}
    cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0))
{%- endmacro -%}
