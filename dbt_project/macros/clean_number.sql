{#-
    Text from an éCO2mix CSV -> number. Empty strings, `-` and `ND` (non disponible) all mean
    "no value" in the exports and become null; anything else must be a plain decimal number.
-#}
{% macro clean_number(column_name) -%}
    cast(
        case
            when trim({{ column_name }}) in ('', '-', 'ND') then null
            else trim({{ column_name }})
        end
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
