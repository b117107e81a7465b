{#-
    Weighted mean of `value` inside a group by, renormalised over the rows where `value` is
    present, so one missing point does not pull the mean towards zero.
-#}
{% macro weighted_mean(value, weight) -%}
    sum({{ value }} * {{ weight }})
        / nullif(sum(case when {{ value }} is not null then {{ weight }} end), 0)
{%- endmacro %}
