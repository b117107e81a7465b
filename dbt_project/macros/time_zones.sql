{#-
    Time-zone arithmetic, kept in one file because dbt has no cross-database macro for it. Each
    macro dispatches (adapter.dispatch(..., 'wattlake')): `default__` is the PostgreSQL form,
    `spark__` the Spark one. Spark's `timestamp` is an instant shown in the session time zone,
    which the Spark profile pins to UTC (profiles.yml); PostgreSQL's is timestamptz.
-#}

{# Start of the UTC hour containing an instant, whatever the session time zone. #}
{% macro utc_hour(timestamp_column) -%}
    {{ return(adapter.dispatch('utc_hour', 'wattlake')(timestamp_column)) }}
{%- endmacro %}

{% macro default__utc_hour(timestamp_column) -%}
    date_trunc('hour', {{ timestamp_column }}, 'UTC')
{%- endmacro %}

{% macro spark__utc_hour(timestamp_column) -%}
    date_trunc('HOUR', {{ timestamp_column }})
{%- endmacro %}

{# Local wall-clock time (a timestamp without zone) of an instant in `time_zone` (default: the `local_time_zone` var). #}
{% macro local_wall_clock(timestamp_column, time_zone=none) -%}
    {{ return(adapter.dispatch('local_wall_clock', 'wattlake')(timestamp_column, time_zone or var("local_time_zone"))) }}
{%- endmacro %}

{% macro default__local_wall_clock(timestamp_column, time_zone) -%}
    ({{ timestamp_column }} at time zone '{{ time_zone }}')
{%- endmacro %}

{% macro spark__local_wall_clock(timestamp_column, time_zone) -%}
    from_utc_timestamp({{ timestamp_column }}, '{{ time_zone }}')
{%- endmacro %}

{# Civil date of an instant in `time_zone` (default: the `local_time_zone` var, Europe/Paris). #}
{% macro local_date(timestamp_column, time_zone=none) -%}
    cast({{ local_wall_clock(timestamp_column, time_zone) }} as date)
{%- endmacro %}

{# First day (a date) of the civil month of an instant in `time_zone` (default: the `local_time_zone` var). #}
{% macro local_month(timestamp_column, time_zone=none) -%}
    cast({{ dbt.date_trunc('month', local_wall_clock(timestamp_column, time_zone)) }} as date)
{%- endmacro %}

{# Instant of an ISO 8601 text that carries its UTC offset (`2026-10-25T02:00:00+01:00`): the offset decides. #}
{% macro offset_timestamp_to_utc(timestamp_text) -%}
    {{ return(adapter.dispatch('offset_timestamp_to_utc', 'wattlake')(timestamp_text)) }}
{%- endmacro %}

{% macro default__offset_timestamp_to_utc(timestamp_text) -%}
    cast({{ timestamp_text }} as timestamp with time zone)
{%- endmacro %}

{% macro spark__offset_timestamp_to_utc(timestamp_text) -%}
    cast({{ timestamp_text }} as timestamp)
{%- endmacro %}

{#
    Offset-less local timestamp text (`2024-10-27T02:00`) read in the zone named by a column ->
    instant. The autumn hour that happens twice (02:00-03:00 in Paris) is ambiguous:
    PostgreSQL reads it as standard time (the later instant, +01:00), Spark's
    to_utc_timestamp as summer time (the earlier, +02:00). The Spark form therefore takes the
    later instant when an hour later still shows the same wall-clock time, so both engines
    agree; a wall-clock time skipped in spring maps to the same instant on both.
#}
{% macro local_timestamp_to_utc(local_timestamp, time_zone_column) -%}
    {{ return(adapter.dispatch('local_timestamp_to_utc', 'wattlake')(local_timestamp, time_zone_column)) }}
{%- endmacro %}

{% macro default__local_timestamp_to_utc(local_timestamp, time_zone_column) -%}
    (cast({{ local_timestamp }} as timestamp) at time zone {{ time_zone_column }})
{%- endmacro %}

{% macro spark__local_timestamp_to_utc(local_timestamp, time_zone_column) -%}
    {%- set wall_clock = 'cast(' ~ local_timestamp ~ ' as timestamp)' -%}
    {%- set summer = 'to_utc_timestamp(' ~ wall_clock ~ ', ' ~ time_zone_column ~ ')' -%}
    {%- set standard = 'timestampadd(HOUR, 1, ' ~ summer ~ ')' -%}
    case
        when from_utc_timestamp({{ standard }}, {{ time_zone_column }}) = {{ wall_clock }} then {{ standard }}
        else {{ summer }}
    end
{%- endmacro %}

{# Seconds from instant `start` to instant `end`, as a number. #}
{% macro seconds_between(start, end) -%}
    {{ return(adapter.dispatch('seconds_between', 'wattlake')(start, end)) }}
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
    extract(epoch from ({{ end }} - {{ start }}))
{%- endmacro %}

{% macro spark__seconds_between(start, end) -%}
    (unix_seconds({{ end }}) - unix_seconds({{ start }}))
{%- endmacro %}

{# Number of hours in a civil day: 24, or 23/25 on the days the clocks change. #}
{% macro hours_in_local_day(date_column, time_zone=none) -%}
    {{ return(adapter.dispatch('hours_in_local_day', 'wattlake')(date_column, time_zone or var("local_time_zone"))) }}
{%- endmacro %}

{% macro default__hours_in_local_day(date_column, time_zone) -%}
    cast(
        extract(epoch from (
            (cast({{ date_column }} + 1 as timestamp) at time zone '{{ time_zone }}')
            - (cast({{ date_column }} as timestamp) at time zone '{{ time_zone }}')
        )) / 3600
        as {{ dbt.type_int() }}
    )
{%- endmacro %}

{% macro spark__hours_in_local_day(date_column, time_zone) -%}
    {%- set tz = "'" ~ time_zone ~ "'" -%}
    cast(
        {{ seconds_between(
            local_timestamp_to_utc(date_column, tz),
            local_timestamp_to_utc('date_add(' ~ date_column ~ ', 1)', tz),
        ) }} / 3600
        as {{ dbt.type_int() }}
    )
{%- endmacro %}
