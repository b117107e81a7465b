{#-
    Schemas are exactly the configured names (`staging`, `intermediate`, `marts`), without dbt's
    default `<target_schema>_` prefix: the dashboard and the docs name them directly.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
