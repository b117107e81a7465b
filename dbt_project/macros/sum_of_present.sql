{#-
    Sum of several columns where a missing one counts as 0 (a region without nuclear plants
    publishes no nuclear value), but null when all of them are missing (nothing was published).
-#}
{% macro sum_of_present(columns) -%}
    case
        when coalesce({{ columns | join(', ') }}) is null then null
        else {% for column in columns %}coalesce({{ column }}, 0){% if not loop.last %} + {% endif %}{% endfor %}
    end
{%- endmacro %}

{# Ratio that is null, not an error, when the denominator is 0 or null. #}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#
    A float rounded to `digits` decimals (PostgreSQL rounds numerics only), still a float. The
    decimal has 10 decimals on both engines: dbt's numeric is numeric(28,6) on PostgreSQL, and
    rounding 0.90884987 first to 0.908850 then to 4 decimals gave 0.9089 there, 0.9088 on Spark.
#}
{% macro round_float(expression, digits) -%}
    cast(round(cast({{ expression }} as decimal(38, 10)), {{ digits }}) as {{ dbt.type_float() }})
{%- endmacro %}
