{#-
    Fill a text template's placeholders {v1}, {v2}, ... with SQL expressions (text; a NULL
    value becomes an empty string): nested replace(), portable to every engine. Used for the
    seed-driven reasons and actions of the customer-success workflow, e.g.
        csw_fill_template('reasons.reason_en', ['reason_v1', 'reason_v2'])
-#}
{% macro csw_fill_template(template, values) -%}
    {%- set ns = namespace(sql=template) -%}
    {%- for value in values -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '{v" ~ loop.index ~ "}', coalesce(" ~ value ~ ", ''))" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}
