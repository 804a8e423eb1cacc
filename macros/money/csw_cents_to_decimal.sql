{#-
    Integer cents -> decimal(18, 2) in major units, exactly: a multiplication
    by 0.01 in decimal arithmetic (never `/`, which is DOUBLE in DuckDB).
-#}
{% macro csw_cents_to_decimal(cents) -%}
    cast(cast({{ cents }} as decimal(38, 0)) * 0.01 as decimal(18, 2))
{%- endmacro %}
