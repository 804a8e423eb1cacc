{#-
    Seed rows on Spark (overrides dbt-spark's spark__load_csv_rows for this project). dbt-spark
    pastes every value between single quotes without escaping (a seed text with an apostrophe
    breaks the statement) and turns decimals into floats; here each value is an escaped literal
    (csw_quote_literal) cast to the column's type, so text and decimals load exactly.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows_sql = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- set literal = 'null' if value is none else csw_quote_literal(value) -%}
                {%- do values.append('cast(' ~ literal ~ ' as ' ~ csw_spark_type(types[loop.index0]) ~ ')') -%}
            {%- endfor -%}
            {%- do rows_sql.append('(' ~ values | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values\n' ~ rows_sql | join(',\n') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
