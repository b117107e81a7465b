{#-
    Row-count invariant: fails (one row) when the model does not have exactly as many rows as
    `compare_model` (optionally filtered by `compare_filter`), e.g. a mart that must keep one row
    per row of the model it is built from. On incremental builds both sides are restricted to
    the same recent window (macros/test_window.sql).
-#}
{% test equal_row_count(model, compare_model, compare_filter=none) %}

with

model_rows as (
    select count(*) as row_count from {{ model }}
),

{%- set conditions = [] -%}
{%- if compare_filter -%}{%- do conditions.append('(' ~ compare_filter ~ ')') -%}{%- endif -%}
{%- set window = recent_rows_condition(compare_model) -%}
{%- if window -%}{%- do conditions.append(window) -%}{%- endif %}

compare_rows as (
    select count(*) as row_count from {{ compare_model }}
    {%- if conditions %}
    where {{ conditions | join(' and ') }}
    {%- endif %}
),

final as (
    select
        model_rows.row_count as model_row_count,
        compare_rows.row_count as compare_row_count
    from model_rows
    cross join compare_rows
    where model_rows.row_count <> compare_rows.row_count
)

select * from final

{% endtest %}
