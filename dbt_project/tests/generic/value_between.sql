{#-
    Fails on every row whose column lies outside a physical range. Bounds are optional and
    inclusive unless `inclusive: false`; nulls pass (use not_null for presence).
-#}
{% test value_between(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("value_between on " ~ column_name ~ ": give min_value, max_value or both") }}
{%- endif -%}
{%- set lower = '>=' if inclusive else '>' -%}
{%- set upper = '<=' if inclusive else '<' -%}

with

checked as (
    select
        {{ column_name }} as checked_value
    from {{ model }}
    where {{ column_name }} is not null
),

final as (
    select * from checked
    where not (
        {%- if min_value is not none %}
        checked_value {{ lower }} {{ min_value }}
        {%- endif %}
        {%- if min_value is not none and max_value is not none %} and{% endif %}
        {%- if max_value is not none %}
        checked_value {{ upper }} {{ max_value }}
        {%- endif %}
    )
)

select * from final

{% endtest %}
