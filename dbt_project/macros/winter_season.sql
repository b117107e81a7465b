{#-
    Heating season label of a date: October to April, named after its two years
    (`2024-10-01` and `2025-04-30` both give `2024-2025`); null from May to September.
    extract() is standard SQL; dbt has no cross-database date_part macro.
-#}
{% macro winter_season(date_column) -%}
    {%- set month = 'extract(month from ' ~ date_column ~ ')' -%}
    {%- set year = 'cast(extract(year from ' ~ date_column ~ ') as ' ~ dbt.type_int() ~ ')' -%}
    case
        when {{ month }} >= 10
            then {{ dbt.concat([
                'cast(' ~ year ~ ' as ' ~ dbt.type_string() ~ ')',
                "'-'",
                'cast(' ~ year ~ ' + 1 as ' ~ dbt.type_string() ~ ')',
            ]) }}
        when {{ month }} <= 4
            then {{ dbt.concat([
                'cast(' ~ year ~ ' - 1 as ' ~ dbt.type_string() ~ ')',
                "'-'",
                'cast(' ~ year ~ ' as ' ~ dbt.type_string() ~ ')',
            ]) }}
    end
{%- endmacro %}
