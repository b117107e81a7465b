{#-
    Incremental models rebuild a trailing window instead of the whole history. The window starts
    `incremental_lookback_days` (45, the extract's re-fetch window for recent months) before the
    newest value already in the model, so a re-publication (real time -> consolidated, a weather
    forecast replaced by the archive) or a late-arriving weather hour inside that window is
    picked up. Anything older needs `dbt build --full-refresh`.
-#}

{# Earliest value of `column_name` an incremental run rebuilds (a scalar subquery on {{ this }}). #}
{% macro lookback_start(column_name, lookback_days=none) -%}
    {%- set days = lookback_days if lookback_days is not none else var('incremental_lookback_days') -%}
    (select {{ dbt.dateadd('day', -1 * days, 'max(' ~ column_name ~ ')') }} from {{ this }})
{%- endmacro %}

{#
    `where` clause keeping the source rows an incremental run needs: `source_column` at or after
    the lookback start computed on the model's own `target_column`. `align` is `hour` (instants),
    `day` (Paris civil days: the filter is on their first instant) or `month` (first instant of
    the Paris month). Empty on a full build.
#}
{% macro incremental_window(source_column, target_column, align='hour') -%}
    {%- if is_incremental() -%}
        {%- set start = lookback_start(target_column) -%}
        {%- if align == 'hour' %}
    where {{ source_column }} >= {{ start }}
        {%- elif align == 'day' %}
    where {{ source_column }} >= {{ local_timestamp_to_utc(start, "'" ~ var('local_time_zone') ~ "'") }}
        {%- elif align == 'month' %}
    where {{ source_column }} >= {{ local_timestamp_to_utc(dbt.date_trunc('month', start), "'" ~ var('local_time_zone') ~ "'") }}
        {%- else -%}
            {{ exceptions.raise_compiler_error("incremental_window: align must be hour, day or month, got '" ~ align ~ "'") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
