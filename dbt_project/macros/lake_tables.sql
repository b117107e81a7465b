{#-
    on-run-start, big-data mode: the Parquet lake that the extract writes in lake mode
    (`make extract TARGET=lake`: dlt's filesystem destination, dataset `raw`) becomes schema
    `raw` for Spark, so that staging reads the same `raw.<table>` names on both engines.
    PostgreSQL has its raw tables already: a no-op there.

    The lake folder is env var WATTLAKE_LAKE_DIR (the Makefile sets <project>/data/lake; give
    an absolute path when running dbt by hand). dlt writes each table as files
    `raw/<table>/<load_id>.<file_id>.parquet`, and one JSON line per completed load in
    `raw/_dlt_loads/<schema>__<load_id>.jsonl` (status 0).

    For each declared raw table (models/staging/*/_*__sources.yml) whose folder holds Parquet
    files, every run:
    - `raw_lake.<table>`: an external Parquet table over the folder, recreated so that Spark
      lists the files again and merges the columns of every file (mergeSchema: a column
      appears when a loaded file first has it, as in PostgreSQL);
    - `raw.<table>`: a view keeping only the rows of completed loads (their `_dlt_load_id` in
      `_dlt_loads` with status 0): a load killed half-way leaves files no load record names,
      and those rows never count. On PostgreSQL dlt writes the load record last as well; there
      the rows of an interrupted load are completed by the re-run of the same load package.
    A declared table without files gets no view (staging then reads no rows, as on PostgreSQL
    before the first load). `raw._dlt_loads` is a view over the JSON records (external table
    `raw_lake._dlt_loads`, its columns declared), typed as dlt types them in PostgreSQL.
-#}
{% macro register_lake_tables() -%}
    {{ return(adapter.dispatch('register_lake_tables', 'wattlake')()) }}
{%- endmacro %}

{% macro default__register_lake_tables() -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__register_lake_tables() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_dir = env_var('WATTLAKE_LAKE_DIR', '../data/lake') ~ '/raw' -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- do run_query('create schema if not exists raw_lake') -%}
    {%- set found = lake_table_folders(raw_dir) -%}
    {{ log('Lake ' ~ raw_dir ~ ': tables ' ~ (found | join(', ') or 'none'), info=True) }}
    {%- do run_query('drop view if exists raw._dlt_loads') -%}
    {%- do run_query('drop table if exists raw_lake._dlt_loads') -%}
    {%- if found -%}
        {#- declared columns: Spark reads the records without inferring their schema first, which
            every query through a `raw.<table>` view did (0.2-0.3 s each, docs/benchmarks.md) -#}
        {%- do run_query(
            'create table raw_lake._dlt_loads (load_id string, schema_name string, status bigint,'
            ~ ' inserted_at string, schema_version_hash string)'
            ~ " using json options (path '" ~ raw_dir ~ "/_dlt_loads')"
        ) -%}
        {%- do run_query(
            'create view raw._dlt_loads as select load_id, schema_name, status,'
            ~ ' cast(inserted_at as timestamp) as inserted_at, schema_version_hash'
            ~ ' from raw_lake._dlt_loads'
        ) -%}
    {%- endif -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') if node.source_name != 'dlt' -%}
        {%- set table = node.identifier -%}
        {%- do run_query('drop view if exists raw.' ~ table) -%}
        {%- do run_query('drop table if exists raw_lake.' ~ table) -%}
        {%- if table in found -%}
            {%- do run_query(
                'create table raw_lake.' ~ table ~ " using parquet options (path '" ~ raw_dir ~ '/' ~ table
                ~ "', mergeSchema 'true')"
            ) -%}
            {%- do run_query(
                'create view raw.' ~ table ~ ' as select * from raw_lake.' ~ table
                ~ ' where _dlt_load_id in (select load_id from raw._dlt_loads where status = 0)'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{#
    Names of the folders of `raw_dir` that hold Parquet files, listed by Spark itself (the
    file names only; no file is read). Folders named `_…` (dlt's own) are skipped by Spark.
#}
{% macro lake_table_folders(raw_dir) -%}
    {%- do run_query(
        "create or replace temporary view wattlake_lake_files using binaryFile options (path '"
        ~ raw_dir ~ "', recursiveFileLookup 'true', pathGlobFilter '*.parquet')"
    ) -%}
    {%- set listed = run_query(
        "select distinct regexp_extract(path, '/raw/([^/]+)/[^/]+$', 1) as table_name from wattlake_lake_files"
    ) -%}
    {{ return(listed.columns[0].values() | reject('equalto', '') | list) }}
{%- endmacro %}
