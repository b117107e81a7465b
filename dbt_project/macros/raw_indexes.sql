{#-
    on-run-start: index the raw tables on the columns incremental runs filter on, and refresh
    their planner statistics when a load changed them a lot. dlt owns these tables and creates no
    such index; without one, every incremental model and every windowed data test reads a whole
    raw table (millions of rows) to find a few weeks. A source table opts in with meta
    `index_columns` (models/staging/*/_*__sources.yml); a table not loaded yet (the real-time
    datasets by default) is skipped. Creating the indexes costs a few seconds once, on the first
    build after a full load; afterwards `if not exists` makes this a catalogue lookup.

    Statistics: the planner only picks these indexes if it knows how the values are spread.
    Autovacuum gathers them on most servers, but it may be off, and a first build often runs
    right after the load, before it wakes up: tables never analysed, or with more than 10 % of
    their rows changed since, are analysed here (a sample of 30,000 rows: about a second each).
    The large incremental models do the same for themselves in a post-hook.
-#}
{% macro index_raw_tables() -%}
    {{ return(adapter.dispatch('index_raw_tables', 'wattlake')()) }}
{%- endmacro %}

{# Spark: the lake's Parquet files have no indexes; on-run-start registers them instead (macros/lake_tables.sql). #}
{% macro spark__index_raw_tables() -%}
    {{ return('') }}
{%- endmacro %}

{% macro default__index_raw_tables() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for node in graph.sources.values() if node.config.meta.get('index_columns') -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.identifier) -%}
        {%- if relation is not none -%}
            {%- for column in node.config.meta['index_columns'] -%}
                {%- do statements.append(
                    'create index if not exists ' ~ node.identifier ~ '__' ~ column ~ '_idx on '
                    ~ relation ~ ' (' ~ adapter.quote(column) ~ ')'
                ) -%}
            {%- endfor -%}
            {%- do statements.append(analyze_if_stale(relation)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{# `analyze` the relation when it has no statistics yet or 10 % of its rows changed since. #}
{% macro analyze_if_stale(relation) -%}
    {{ return(adapter.dispatch('analyze_if_stale', 'wattlake')(relation)) }}
{%- endmacro %}

{# Spark: no planner statistics to refresh (the Parquet footers carry what Spark reads). #}
{% macro spark__analyze_if_stale(relation) -%}
    {{ return('') }}
{%- endmacro %}

{% macro default__analyze_if_stale(relation) -%}
    do $wattlake$
    begin
        if exists (
            select 1 from pg_stat_user_tables
            where
                relid = '{{ relation }}'::regclass
                and (
                    coalesce(last_analyze, last_autoanalyze) is null
                    or n_mod_since_analyze > 0.1 * greatest(n_live_tup, 1)
                )
        ) then
            analyze {{ relation }};
        end if;
    end
    $wattlake$
{%- endmacro %}

{#
    A pre-hook: no JIT compilation for the rest of the model's transaction, for a model whose
    plan PostgreSQL overestimates so far that LLVM optimisation costs more than the query.
#}
{% macro without_jit() -%}
    {{ return(adapter.dispatch('without_jit', 'wattlake')()) }}
{%- endmacro %}

{% macro default__without_jit() -%}
    set local jit = off
{%- endmacro %}

{# Spark: no JIT setting; an empty hook is skipped. #}
{% macro spark__without_jit() -%}
    {{ return('') }}
{%- endmacro %}
