{{
    config(
        on_schema_change='fail',
        **incremental_config(['dlt_load_id', 'table_name'], partition_column='dlt_load_id')
    )
}}

{%- set new_load_ids = dlt_load_ids_newer_than_this(ref('stg_dlt__loads')) if is_incremental() else [] -%}
{%- set newer_loads_only -%}
{%- if is_incremental() %}
    where dlt_load_id in ('{{ new_load_ids | join("', '") }}')
{%- endif %}
{%- endset -%}

with

loads as (select * from {{ ref('stg_dlt__loads') }}),

-- only the loads this table has not seen yet: counting rows per load reads the raw tables, so
-- each load is counted once, at the first build after it, through the raw tables' `_dlt_load_id`
-- index (macros/raw_indexes.sql); with no new load, `in ('')` keeps nothing
new_loads as (
    select * from loads
    {{ newer_loads_only }}
),

loaded_rows as (
    select * from {{ ref('stg_dlt__loaded_rows') }}
    {{ newer_loads_only }}
),

-- one row per landing file first (cheap hash aggregate), then per load and table
rows_per_file as (
    select
        dlt_load_id,
        table_name,
        source_file_path,
        count(*) as row_count,
        min(measured_at) as oldest_data_at,
        max(measured_at) as newest_data_at
    from loaded_rows
    group by 1, 2, 3
),

rows_per_load as (
    select
        dlt_load_id,
        table_name,
        sum(row_count) as row_count,
        count(source_file_path) as source_file_count,
        min(oldest_data_at) as oldest_data_at,
        max(newest_data_at) as newest_data_at
    from rows_per_file
    group by 1, 2
),

joined as (
    select
        new_loads.dlt_load_id,
        rows_per_load.table_name,
        new_loads.source_name,
        new_loads.loaded_at,
        new_loads.load_status,
        rows_per_load.row_count,
        rows_per_load.source_file_count,
        rows_per_load.oldest_data_at,
        rows_per_load.newest_data_at
    from new_loads
    inner join rows_per_load
        on new_loads.dlt_load_id = rows_per_load.dlt_load_id
),

final as (
    select
        cast(dlt_load_id as {{ dbt.type_string() }}) as dlt_load_id,
        cast(table_name as {{ dbt.type_string() }}) as table_name,
        cast(source_name as {{ dbt.type_string() }}) as source_name,
        loaded_at,
        cast(load_status as {{ dbt.type_int() }}) as load_status,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count,
        cast(source_file_count as {{ dbt.type_int() }}) as source_file_count,
        oldest_data_at,
        newest_data_at,
        cast({{ dbt.datediff('newest_data_at', 'loaded_at', 'second') }} as {{ dbt.type_float() }}) / 3600 as data_lag_hours  -- noqa: LT05
    from joined
)

select {{ one_file_per_partition() }} * from final
