{#-
    How an incremental model replaces the rows of its window, the one place chosen per engine:
    `config(on_schema_change='fail', ..., **incremental_config(unique_key, partition_column))`.

    - PostgreSQL: `delete+insert` on `unique_key` (the rows of the window are deleted by key,
      then inserted), as before.
    - Spark: the lake is plain Parquet (no Delta or Iceberg: their jars come from Maven), so
      there is no row-level delete or merge. The table is partitioned by `partition_column`
      (a day, a month or a load) and `insert_overwrite` replaces every partition the window
      touches, with dynamic partition overwrite (profiles.yml). The windows start on a
      Paris month, so on a partition boundary (macros/incremental.sql, `window_grain`). The
      time partitions are Paris months: `local_month` for the two hourly intermediates,
      `month_start_date` for the facts. By day, a full history is about 5,000 partitions per
      table, and writing and reading their files took most of a Spark build
      (docs/benchmarks.md). A model without a partition column is rebuilt as a table on Spark.
-#}
{% macro incremental_config(unique_key, partition_column=none) -%}
    {{ return(adapter.dispatch('incremental_config', 'wattlake')(unique_key, partition_column)) }}
{%- endmacro %}

{% macro default__incremental_config(unique_key, partition_column) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{%- endmacro %}

{% macro spark__incremental_config(unique_key, partition_column) -%}
    {%- if partition_column is none -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [partition_column],
        'unique_key': unique_key,
    }) }}
{%- endmacro %}

{#-
    `select {{ one_file_per_partition() }} * from final`: on Spark, a hint that gathers each
    partition's rows into one task before the write (REBALANCE on the model's `partition_by`),
    so that each partition is one Parquet file. Without it, every task of the last stage wrote
    a file into every partition it held rows of: 3 to 4 files per month (494 files for the
    65,637 rows of fct_consumption_daily on full history), and every later read paid for
    listing and opening them (a scan of that table 1.6-2.2 s, 0.85 s with one file per month;
    docs/benchmarks.md). Nothing on PostgreSQL, and nothing for a model without partitions.
-#}
{% macro one_file_per_partition() -%}
    {{ return(adapter.dispatch('one_file_per_partition', 'wattlake')()) }}
{%- endmacro %}

{% macro default__one_file_per_partition() -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__one_file_per_partition() -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- if not partition_by -%}
        {{ return('') }}
    {%- endif -%}
    {%- set columns = [partition_by] if partition_by is string else partition_by -%}
    {{ return('/*+ REBALANCE(' ~ columns | join(', ') ~ ') */') }}
{%- endmacro %}
