{#-
    Fails on every row where a listed column is null, and names the null columns. One test per
    model, one scan of it, as values_between: each test node costs dbt about 0.1 s of its own on
    PostgreSQL, and on Spark a scan of a staging view's deduplication, so a `not_null` per
    column made an incremental build mostly test overhead.
-#}
{% test not_null_columns(model, columns) %}

{%- if not columns -%}
    {{ exceptions.raise_compiler_error("not_null_columns on " ~ model ~ ": list the columns in `columns`") }}
{%- endif %}

with

null_rows as (
    select
        concat_ws(
            ', ',
            {%- for column_name in columns %}
            case when {{ column_name }} is null then '{{ column_name }}' end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as null_columns
    from {{ model }}
    where {{ columns | join(' is null or ') }} is null
)

select * from null_rows

{% endtest %}
