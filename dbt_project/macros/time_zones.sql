{#-
    Time-zone arithmetic, kept in one file because dbt has no cross-database macro for it:
    these are the PostgreSQL forms, the one place to adapt when moving to another engine.
-#}

{# Start of the UTC hour containing a timestamptz, whatever the session time zone. #}
{% macro utc_hour(timestamp_column) -%}
    date_trunc('hour', {{ timestamp_column }}, 'UTC')
{%- endmacro %}

{# Civil date of a timestamptz in `time_zone` (default: the `local_time_zone` var, Europe/Paris). #}
{% macro local_date(timestamp_column, time_zone=none) -%}
    cast(({{ timestamp_column }} at time zone '{{ time_zone or var("local_time_zone") }}') as date)
{%- endmacro %}

{# Offset-less local timestamp text (`2024-10-27T02:00`) read in the zone named by a column -> timestamptz. #}
{% macro local_timestamp_to_utc(local_timestamp, time_zone_column) -%}
    (cast({{ local_timestamp }} as timestamp) at time zone {{ time_zone_column }})
{%- endmacro %}

{# Number of hours in a civil day: 24, or 23/25 on the days the clocks change. #}
{% macro hours_in_local_day(date_column, time_zone=none) -%}
    {%- set tz = time_zone or var("local_time_zone") -%}
    cast(
        extract(epoch from (
            (cast({{ date_column }} + 1 as timestamp) at time zone '{{ tz }}')
            - (cast({{ date_column }} as timestamp) at time zone '{{ tz }}')
        )) / 3600
        as {{ dbt.type_int() }}
    )
{%- endmacro %}
