{#-
    Seeds on Spark. dbt-spark inserts seed rows with bindings, and in `session` mode its cursor
    substitutes them by wrapping each value in quotes without escaping it
    (SessionConnectionWrapper._fix_binding: f"'{value}'"), so "Côte d'Azur" ends the string
    early and the insert fails; a null also becomes the text 'None'. Here the values are
    written as SQL literals instead, escaped (a Spark string literal escapes with a
    backslash), so the table holds exactly the CSV's values on both methods (session, thrift).
    The seeds' `column_types` are PostgreSQL names, translated (macros/engine_types.sql).
-#}

{% macro spark__create_csv_table(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set sql -%}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {{ col_name }} {{ spark_type_name(column_override.get(col_name, inferred_type)) }}
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
    {%- endset -%}
    {%- call statement('_') -%}
        {{ sql }}
    {%- endcall -%}
    {{ return(sql) }}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                    {%- set col_name = agate_table.column_names[loop.index0] -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = spark_type_name(column_override.get(col_name, inferred_type)) -%}
                    cast({{ spark_literal(value) }} as {{ type }}){% if not loop.last %}, {% endif -%}
                {%- endfor -%}
            ){% if not loop.last %},{% endif %}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{# A CSV value as a Spark SQL literal: null, or a quoted string with \ and ' escaped. #}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
