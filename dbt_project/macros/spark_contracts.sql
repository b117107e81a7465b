{#-
    dbt-spark adjustments, each in the one place dbt looks it up (the root project's `spark__`
    version of a dbt macro wins over dbt-spark's). None of them changes PostgreSQL.
-#}

{#
    Contracts: dbt checks a contract by comparing the model's column types with those of
    `select cast(null as <data_type>) ...` built from the YAML (dbt's
    assert_columns_equivalent / get_empty_schema_sql), and dbt-spark passes `data_type` through
    unchanged (SparkColumn.translate_type). The YAML names PostgreSQL types, the ones the
    published marts have: on Spark they are translated first (macros/engine_types.sql).
#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = column.copy() if column is mapping else column.to_dict() -%}
        {%- if copy.get('data_type') -%}
            {%- do copy.update({'data_type': spark_type_name(copy['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{%- endmacro %}

{#
    Comments: the Derby metastore of a local Spark keeps at most 256 characters of a table or
    column comment and fails on longer ones, and the project's descriptions are longer. The
    docs stay in dbt's docs site; Spark gets no comments (persist_docs is off on Spark only).
#}
{% macro spark__comment_clause() -%}
{%- endmacro %}

{% macro spark__persist_docs(relation, model, for_relation, for_columns) -%}
{%- endmacro %}

{#
    Views: dbt-spark's create_view_as adds a column list carrying each column's description
    when persist_docs.columns is on (as it is here, for PostgreSQL). Spark then takes about
    21 s to create each staging view over the full-history lake instead of under 1 s
    (docs/benchmarks.md), and the comments would be cut by Derby anyway. This is dbt-spark's
    macro without that column list.
#}
{% macro spark__create_view_as(relation, sql) -%}
    create or replace view {{ relation }}
    {%- if config.get('contract').enforced %}
    {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    as
    {{ sql }}
{%- endmacro %}
