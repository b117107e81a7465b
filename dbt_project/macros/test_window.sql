{#-
    Data tests on the large relations check, on an incremental build, only the rows that build
    can have changed: those from `incremental_lookback_days` before the newest hour already in
    int_consumption_averaged_to_hours (the same window the incremental models rebuild). Older
    rows were tested when they were new. A model opts in with meta `test_window_column` and/or
    `test_window_text_column` (dbt_project.yml, the marts' YAML).
    Everything is tested on a build with `--full-refresh`, on one that runs before
    int_consumption_averaged_to_hours exists, or with `--vars '{test_full_history: true}'`
    (`make verify`: every data test over every row, nothing built).

    What an incremental build's tests do not see: any row older than the window. "Tested when
    they were new" no longer holds for a row changed since (raw rows of an old month reloaded,
    a staging view's new logic applied to old rows that the incremental models did not
    rebuild), nor for a data test added or changed since: it has only ever seen the window.
    Run `make verify` for those (weekly, and after a bulk reload).

    This overrides dbt's get_where_subquery (the wrapper around `model` in every generic test),
    keeping its `where` config.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set window = recent_rows_condition(relation) -%}
    {%- if window -%}
        {%- do conditions.append(window) -%}
    {%- endif -%}
    {%- if conditions -%}
        (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#
    The window condition for a tested relation, or '' to test every row: its meta
    `test_window_column` (a timestamp) at or after the window start, and its meta
    `test_window_text_column` (a raw timestamp as published, indexed in raw) from the day before
    it, which lets PostgreSQL read the recent rows through the raw table's index instead of all
    of them. The start is a constant read when the test runs (macros/incremental.sql).
#}
{% macro recent_rows_condition(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or var('test_full_history', false) -%}
        {{ return('') }}
    {%- endif -%}
    {#- a model is found by its id (its alias is its name here); sources are tested in full -#}
    {%- set model = graph.nodes.get('model.' ~ project_name ~ '.' ~ relation.identifier) -%}
    {%- if not model or model.schema != relation.schema -%}
        {{ return('') }}
    {%- endif -%}
    {%- set meta = model.config.meta -%}
    {%- set hourly = graph.nodes.get('model.' ~ project_name ~ '.int_consumption_averaged_to_hours') -%}
    {%- set anchor = adapter.get_relation(hourly.database, hourly.schema, hourly.alias) if hourly else none -%}
    {%- if anchor is none or not (meta.get('test_window_column') or meta.get('test_window_text_column')) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- set start = lookback_start('hour_at', relation=anchor) -%}
    {%- if meta.get('test_window_column') -%}
        {%- do conditions.append(meta['test_window_column'] ~ ' >= ' ~ start) -%}
    {%- endif -%}
    {%- if meta.get('test_window_text_column') -%}
        {%- do conditions.append(text_day_before(meta['test_window_text_column'], start)) -%}
    {%- endif -%}
    {{ return(conditions | join(' and ')) }}
{%- endmacro %}
