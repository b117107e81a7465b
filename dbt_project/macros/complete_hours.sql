{#-
    When an hour of consumption is complete: every step of its dataset's grid has a reading with
    a consumption. The consolidated/definitive datasets publish consumption every 30 minutes
    (:00 and :30; the national one also has :15/:45 rows, but they carry forecasts only, so they
    are no steps of its consumption grid), the real-time ones every 15 minutes. An hour with at
    least one reading from a real-time dataset (staging's best publication of a step) is on the
    15-minute grid, 4 steps; any other hour on the 30-minute grid, 2 steps. A step whose row is
    missing, or whose consumption is null, leaves the hour incomplete.
-#}

{# The number of steps of an hour's grid, an aggregate over the hour's staging rows. #}
{% macro expected_reading_count(is_real_time_column) -%}
    case when bool_or({{ is_real_time_column }}) then 4 else 2 end
{%- endmacro %}

{# Whether an hour is complete, an aggregate over the hour's staging rows. #}
{% macro is_complete_hour(consumption_column, measured_at_column, is_real_time_column) -%}
    count(
        case
            when {{ is_real_time_column }} or extract(minute from {{ measured_at_column }}) in (0, 30)
                then {{ consumption_column }}
        end
    ) = {{ expected_reading_count(is_real_time_column) }}
{%- endmacro %}
