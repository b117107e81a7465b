{#- every raw data table the project declares, loaded or not (macros/raw_column.sql) -#}
{%- set declared = raw_data_tables() -%}

with

expected_tables (source_name, table_name) as (
    values
    {%- for source_name, table_name in declared %}
    ('{{ source_name }}', '{{ table_name }}'){% if not loop.last %},{% endif %}
    {%- endfor %}
),

loads as (select * from {{ ref('fct_pipeline_loads') }}),

loads_per_table as (
    select
        table_name,
        min(oldest_data_at) as first_data_at,
        max(newest_data_at) as last_data_at,
        max(loaded_at) as last_loaded_at,
        sum(row_count) as row_count,
        count(*) as load_count
    from loads
    group by 1
),

-- a table no completed load wrote rows to is "not loaded" (it may not even exist in raw)
final as (
    select
        cast(expected_tables.source_name as {{ dbt.type_string() }}) as source_name,
        cast(expected_tables.table_name as {{ dbt.type_string() }}) as table_name,
        cast(
            case when loads_per_table.table_name is null then 'not loaded' else 'loaded' end
            as {{ dbt.type_string() }}
        ) as load_status,
        loads_per_table.first_data_at,
        loads_per_table.last_data_at,
        loads_per_table.last_loaded_at,
        cast(coalesce(loads_per_table.row_count, 0) as {{ dbt.type_bigint() }}) as row_count,
        cast(coalesce(loads_per_table.load_count, 0) as {{ dbt.type_int() }}) as load_count
    from expected_tables
    left join loads_per_table
        on expected_tables.table_name = loads_per_table.table_name
)

select * from final
