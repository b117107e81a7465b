{#-
    Calendar arithmetic for dim_dates. dbt has no cross-database macro for building a date from
    its parts or for the weekday: make_date() exists on both PostgreSQL and Spark, the weekday
    dispatches (`default__` PostgreSQL, `spark__` Spark).
-#}

{# Date from integer year, month and day expressions. #}
{% macro date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as {{ dbt.type_int() }}), {{ month }}, {{ day }})
{%- endmacro %}

{# ISO weekday of a date: 1 Monday … 7 Sunday. #}
{% macro iso_day_of_week(date_column) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'wattlake')(date_column)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_column) -%}
    cast(extract(isodow from {{ date_column }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_column) -%}
    cast(extract(dayofweek_iso from {{ date_column }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#
    Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher),
    using only integer floor() and mod() on non-negative numbers. Each step is a Jinja string,
    so the result is one SQL expression of `year`.
#}
{% macro easter_sunday(year) -%}
    {%- set int = dbt.type_int() -%}
    {%- set y = 'cast(' ~ year ~ ' as ' ~ int ~ ')' -%}
    {%- set a = 'mod(' ~ y ~ ', 19)' -%}
    {%- set b = integer_floor_division(y, 100) -%}
    {%- set c = 'mod(' ~ y ~ ', 100)' -%}
    {%- set d = integer_floor_division(b, 4) -%}
    {%- set e = 'mod(' ~ b ~ ', 4)' -%}
    {%- set f = integer_floor_division(b ~ ' + 8', 25) -%}
    {%- set g = integer_floor_division(b ~ ' - ' ~ f ~ ' + 1', 3) -%}
    {%- set h = 'mod(19 * ' ~ a ~ ' + ' ~ b ~ ' - ' ~ d ~ ' - ' ~ g ~ ' + 15, 30)' -%}
    {%- set i = integer_floor_division(c, 4) -%}
    {%- set k = 'mod(' ~ c ~ ', 4)' -%}
    {%- set l = 'mod(32 + 2 * ' ~ e ~ ' + 2 * ' ~ i ~ ' - ' ~ h ~ ' - ' ~ k ~ ', 7)' -%}
    {%- set m = integer_floor_division(a ~ ' + 11 * ' ~ h ~ ' + 22 * ' ~ l, 451) -%}
    {%- set n = '(' ~ h ~ ' + ' ~ l ~ ' - 7 * ' ~ m ~ ' + 114)' -%}
    {{ date_from_parts(y, integer_floor_division(n, 31), 'mod(' ~ n ~ ', 31) + 1') }}
{%- endmacro %}

{# floor(numerator / denominator) as an integer, for non-negative integer expressions. #}
{% macro integer_floor_division(numerator, denominator) -%}
    cast(floor(({{ numerator }}) / {{ denominator }}) as {{ dbt.type_int() }})
{%- endmacro %}

{# Local (Paris) hour of day 0-23 of an instant (macros/time_zones.sql). #}
{% macro local_hour(timestamp_column, time_zone=none) -%}
    cast(extract(hour from {{ local_wall_clock(timestamp_column, time_zone) }}) as {{ dbt.type_int() }})
{%- endmacro %}
