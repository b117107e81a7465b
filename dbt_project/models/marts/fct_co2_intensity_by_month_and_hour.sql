{{
    config(
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'month_start_date']}],
        **incremental_config(
            ['region_code', 'month_start_date', 'local_hour'], partition_column='month_start_date'
        )
    )
}}

with

-- an incremental build re-aggregates whole months, from the month of the lookback start on
hourly_consumption as (
    select * from {{ ref('fct_consumption_hourly') }}
    {%- if is_incremental() %}
    where consumption_date >= {{ dbt.date_trunc('month', lookback_start('month_start_date')) }}
    {%- endif %}
),

-- the hours with a published CO2 intensity (France only), grouped by Paris month and local hour
final as (
    select
        cast({{ dbt.date_trunc('month', 'consumption_date') }} as date) as month_start_date,
        local_hour,
        region_code,
        cast(avg(co2_intensity_g_per_kwh) as {{ dbt.type_float() }}) as co2_intensity_g_per_kwh,
        cast(count(*) as {{ dbt.type_int() }}) as hour_count
    from hourly_consumption
    where co2_intensity_g_per_kwh is not null
    group by 1, 2, 3
)

select {{ one_file_per_partition() }} * from final
