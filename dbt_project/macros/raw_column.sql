{#-
    How staging reads a raw table whose columns it cannot know in advance. dlt creates a column
    when a loaded file first has it, so a raw table has the columns of the eras of the files
    loaded into it (a 2021 national export has no `eolien_terrestre`, a 2020 regional one has
    `import_*`/`export_*` columns that later vanished), and a table the extract never loaded
    does not exist at all (no regional dataset configured, real time switched off, no weather
    yet). Staging names every column it wants: one the raw table lacks becomes a typed null,
    and a raw table that does not exist gives no rows. docs/raw-contract.md lists the eras.

    The columns are read from the database when the model runs (one catalogue query per raw
    table and model); at parse time nothing is read. Unit-test inputs are CTEs that cannot be
    introspected: a unit test overrides raw_column_names with the columns its inputs have.
-#}

{#
    A declared source table as {relation, columns}: `columns` are the lower-case names of its
    columns in the database, empty when the table does not exist (or at parse time).
#}
{% macro raw_table(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {{ return({'relation': relation, 'columns': raw_column_names(relation)}) }}
{%- endmacro %}

{# Lower-case column names of a relation in the database, [] when it does not exist. #}
{% macro raw_column_names(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) }}
{%- endmacro %}

{# Column `column_name` of a raw_table(), or a null of `data_type` (default text) when it lacks it. #}
{% macro raw_column(table, column_name, data_type=none) -%}
    {%- if column_name in table.columns -%}
        {{ column_name }}
    {%- else -%}
        cast(null as {{ data_type or dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{# What a staging model selects `from`: the raw table, or an empty relation when it does not exist. #}
{% macro raw_from(table) -%}
    {%- if table.columns -%}
        {{ table.relation }}
    {%- else -%}
        (select 1 where false) as not_loaded
    {%- endif -%}
{%- endmacro %}

{#
    The raw data tables the project declares (models/staging/*/_*__sources.yml, every source
    table but dlt's own bookkeeping) as [source_name, table_name] pairs, read from the project's
    graph when a model runs, loaded or not. Unit tests, which have no graph of sources,
    override it.
#}
{% macro raw_data_tables() -%}
    {%- set tables = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() | sort(attribute='unique_id') if node.source_name != 'dlt' -%}
            {%- do tables.append([node.source_name, node.identifier]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(tables) }}
{%- endmacro %}
