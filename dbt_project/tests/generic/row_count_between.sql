{#- Row-count invariant: fails (one row) when the model's row count lies outside [min_value, max_value]; bounds optional. -#}
{% test row_count_between(model, min_value=none, max_value=none) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("row_count_between: give min_value, max_value or both") }}
{%- endif %}

with

model_rows as (
    select count(*) as row_count from {{ model }}
),

final as (
    select * from model_rows
    where
        {%- if min_value is not none %} row_count < {{ min_value }}{% endif %}
        {%- if min_value is not none and max_value is not none %} or{% endif %}
        {%- if max_value is not none %} row_count > {{ max_value }}{% endif %}
)

select * from final

{% endtest %}
