{#-
    Incremental models rebuild a trailing window instead of the whole history. The window starts
    `incremental_lookback_days` (45, the extract's re-fetch window for recent months) before the
    newest value already in the model, so a re-publication (real time -> consolidated, a weather
    forecast replaced by the archive) or a late-arriving weather hour inside that window is
    picked up. Anything older needs `dbt build --full-refresh`.

    The start is read from the database when the model runs and written into its SQL as a
    constant: PostgreSQL chooses an index scan for a constant bound, not for a subquery's result.
-#}

{#
    Earliest value of `column_name` an incremental run rebuilds, as a SQL constant of the same
    type (timestamp with time zone for an instant, timestamp for a date): `lookback_days`
    (default var incremental_lookback_days) before max(column_name) in `relation` (default the
    model itself). At parse time, before anything runs, a placeholder.
#}
{% macro lookback_start(column_name, lookback_days=none, relation=none) -%}
    {%- set days = lookback_days if lookback_days is not none else var('incremental_lookback_days') -%}
    {%- set relation = relation if relation is not none else this -%}
    {%- if not execute -%}
        {{ return('cast(null as timestamp)') }}
    {%- endif -%}
    {%- set start = dbt.dateadd('day', -1 * days, 'max(' ~ column_name ~ ')') -%}
    {%- set query -%}
        select
            cast({{ start }} as {{ dbt.type_string() }}) as start_text,
            cast({{ type_name_of(start) }} as {{ dbt.type_string() }}) as start_type
        from {{ relation }}
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row['start_text'] is none -%}
        {{ return('cast(null as ' ~ row['start_type'] ~ ')') }}
    {%- endif -%}
    {{ return("cast('" ~ row['start_text'] ~ "' as " ~ row['start_type'] ~ ")") }}
{%- endmacro %}

{#
    Condition keeping the ISO 8601 text column `text_column` (a raw timestamp as published,
    indexed by macros/raw_indexes.sql) from the civil day before `start` on: a coarse, indexable
    superset of the rows at or after `start`, whatever the text's UTC offset. The exact bound is
    applied on the typed column next to it.
#}
{% macro text_day_before(text_column, start) -%}
    {{ text_column }} >= {{ iso_date_text(dbt.dateadd('day', -1, start)) }}
{%- endmacro %}

{# `YYYY-MM-DD` text of a timestamp or date. #}
{% macro iso_date_text(expression) -%}
    {{ return(adapter.dispatch('iso_date_text', 'wattlake')(expression)) }}
{%- endmacro %}

{% macro default__iso_date_text(expression) -%}
    to_char({{ expression }}, 'YYYY-MM-DD')
{%- endmacro %}

{% macro spark__iso_date_text(expression) -%}
    date_format({{ expression }}, 'yyyy-MM-dd')
{%- endmacro %}

{#
    `where` clause keeping the source rows an incremental run needs: `source_column` at or after
    the lookback start computed on the model's own `target_column`. `align` is `hour` (instants),
    `day` (Paris civil days: the filter is on their first instant) or `month` (first instant of
    the Paris month); `window_grain` may widen it. With `text_column` (a staging model's raw
    timestamp text), the same window is also applied on it, so the raw table's index does the
    reading. Empty on a full build.
#}
{% macro incremental_window(source_column, target_column, align='hour', text_column=none) -%}
    {%- if is_incremental() -%}
        {%- if align not in ['hour', 'day', 'month'] -%}
            {{ exceptions.raise_compiler_error("incremental_window: align must be hour, day or month, got '" ~ align ~ "'") }}
        {%- endif -%}
        {%- set start = lookback_start(target_column) -%}
        {%- set grain = window_grain(align) -%}
        {%- if grain == 'hour' -%}
            {%- set bound = start -%}
            {%- set text_start = start -%}
        {%- else -%}
            {#- the window's first local wall-clock time; a `day` or `month` target is local already -#}
            {%- set local_start = local_wall_clock(start) if align == 'hour' else start -%}
            {%- set text_start = dbt.date_trunc(grain, local_start) -%}
            {%- set bound = local_timestamp_to_utc(text_start, "'" ~ var('local_time_zone') ~ "'") -%}
        {%- endif %}
    where {{ source_column }} >= {{ bound }}
        {%- if text_column %}
        and {{ text_day_before(text_column, text_start) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#
    Ids of the dlt loads in `loads` (stg_dlt__loads) newer than the newest one already in the
    model, read when the model runs, so the model can list them as constants: PostgreSQL then
    reads each raw table through its `_dlt_load_id` index. Load ids compare as numbers.
#}
{% macro dlt_load_ids_newer_than_this(loads) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select dlt_load_id from {{ loads }}
        where
            cast(dlt_load_id as {{ dbt.type_numeric() }})
            > (select max(cast(dlt_load_id as {{ dbt.type_numeric() }})) from {{ this }})
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{#
    The grain a window of `align` is widened to. PostgreSQL deletes and re-inserts by key, so a
    window starts where its `align` says. Spark overwrites whole partitions
    (macros/incremental_strategy.sql), and its time partitions are Paris months, so every
    window there starts on the first instant of a Paris month: a partition is never rewritten
    with part of its rows.
#}
{% macro window_grain(align) -%}
    {{ return(adapter.dispatch('window_grain', 'wattlake')(align)) }}
{%- endmacro %}

{% macro default__window_grain(align) -%}
    {{ return(align) }}
{%- endmacro %}

{% macro spark__window_grain(align) -%}
    {{ return('month') }}
{%- endmacro %}
