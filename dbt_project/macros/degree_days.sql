{#-
    Degree days of one day from its mean temperature (°C), the only place the rule is written:
    heating = base - mean when the day is colder than `heating_degree_base_c` (15 °C), else 0;
    cooling = mean - base when the day is warmer than `cooling_degree_base_c` (18 °C), else 0.
    A missing mean gives null, not 0 (greatest() would silently turn null into 0).
-#}
{% macro degree_days(mean_temperature, kind) -%}
    {%- if kind == 'heating' -%}
        {%- set base = var('heating_degree_base_c') -%}
        case
            when {{ mean_temperature }} is null then null
            when {{ mean_temperature }} < {{ base }} then {{ base }} - {{ mean_temperature }}
            else 0
        end
    {%- elif kind == 'cooling' -%}
        {%- set base = var('cooling_degree_base_c') -%}
        case
            when {{ mean_temperature }} is null then null
            when {{ mean_temperature }} > {{ base }} then {{ mean_temperature }} - {{ base }}
            else 0
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error("degree_days: kind must be 'heating' or 'cooling', got '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}
