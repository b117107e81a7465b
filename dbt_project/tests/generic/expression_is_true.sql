{#- Fails on every row where `expression` is false (an invariant between columns); rows where it is null pass unless `null_fails`. -#}
{% test expression_is_true(model, expression, null_fails=false) %}

with

final as (
    select * from {{ model }}
    where {% if null_fails %}not coalesce({{ expression }}, false){% else %}not ({{ expression }}){% endif %}
)

select * from final

{% endtest %}
