{#-
    Data tests on the large relations check, on an incremental build, only the rows that build
    can have changed: those from `incremental_lookback_days` before the newest hour already in
    int_consumption_averaged_to_hours (the same window the incremental models rebuild). Older
    rows were tested when they were new. A relation opts in with model meta
    `test_window_column` (dbt_project.yml). Everything is tested on the first build, with
    `--full-refresh`, or with `--vars '{test_full_history: true}'`.

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

{# The window condition for a tested relation, or '' to test every row. #}
{% macro recent_rows_condition(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or var('test_full_history', false) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ns = namespace(column=none, anchor=none) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
        {%- if node.alias == relation.identifier and node.schema == relation.schema -%}
            {%- set ns.column = node.config.meta.get('test_window_column') -%}
        {%- endif -%}
        {%- if node.name == 'int_consumption_averaged_to_hours' -%}
            {%- set ns.anchor = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if ns.column is none or ns.anchor is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(
        ns.column ~ ' >= (select '
        ~ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(hour_at)')
        ~ ' from ' ~ ns.anchor ~ ')'
    ) }}
{%- endmacro %}
