{# the third index serves the dashboard's top days of a region (TOP_PEAKS), read in order #}
{{
    config(
        on_schema_change='fail',
        indexes=[
            {'columns': ['region_code', 'consumption_date']},
            {'columns': ['consumption_date']},
            {'columns': ['region_code', 'peak_consumption_mw desc', 'consumption_date']},
        ],
        **incremental_config(['consumption_date', 'region_code'], partition_column='month_start_date')
    )
}}

with

hourly_consumption as (
    select * from {{ ref('int_consumption_averaged_to_hours') }}
    {{ incremental_window('hour_at', 'consumption_date', align='day') }}
),

hourly_weather as (
    select * from {{ ref('int_weather_weighted_to_regions') }}
    {{ incremental_window('hour_at', 'consumption_date', align='day') }}
),

-- an hourly mean in MW over one hour is that hour's energy in MWh
daily_consumption as (
    select
        region_code,
        {{ local_date('hour_at') }} as consumption_date,
        sum(mean_consumption_mw) as energy_mwh,
        avg(mean_consumption_mw) as mean_consumption_mw,
        max(peak_consumption_mw) as peak_consumption_mw,
        count(*) as hours_with_consumption,
        -- hours with every reading present and non-null (macros/complete_hours.sql)
        count(case when is_complete_hour then 1 end) as complete_consumption_hours
    from hourly_consumption
    group by 1, 2
),

daily_weather as (
    select
        region_code,
        {{ local_date('hour_at') }} as weather_date,
        avg(temperature_c) as mean_temperature_c,
        min(temperature_c) as min_temperature_c,
        max(temperature_c) as max_temperature_c,
        count(temperature_c) as hours_with_temperature
    from hourly_weather
    group by 1, 2
),

joined as (
    select
        daily_consumption.consumption_date,
        daily_consumption.region_code,
        daily_consumption.energy_mwh,
        daily_consumption.mean_consumption_mw,
        daily_consumption.peak_consumption_mw,
        daily_weather.mean_temperature_c,
        daily_weather.min_temperature_c,
        daily_weather.max_temperature_c,
        daily_consumption.hours_with_consumption,
        daily_consumption.complete_consumption_hours,
        coalesce(daily_weather.hours_with_temperature, 0) as hours_with_temperature,
        {{ hours_in_local_day('daily_consumption.consumption_date') }} as hours_in_day
    from daily_consumption
    left join daily_weather
        on daily_consumption.region_code = daily_weather.region_code
        and daily_consumption.consumption_date = daily_weather.weather_date
),

final as (
    select
        cast(consumption_date as date) as consumption_date,
        cast({{ dbt.date_trunc('month', 'consumption_date') }} as date) as month_start_date,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(energy_mwh as {{ dbt.type_float() }}) as energy_mwh,
        cast(mean_consumption_mw as {{ dbt.type_float() }}) as mean_consumption_mw,
        cast(peak_consumption_mw as {{ dbt.type_float() }}) as peak_consumption_mw,
        cast(mean_temperature_c as {{ dbt.type_float() }}) as mean_temperature_c,
        cast(min_temperature_c as {{ dbt.type_float() }}) as min_temperature_c,
        cast(max_temperature_c as {{ dbt.type_float() }}) as max_temperature_c,
        cast({{ degree_days('mean_temperature_c', 'heating') }} as {{ dbt.type_float() }}) as heating_degree_days,
        cast({{ degree_days('mean_temperature_c', 'cooling') }} as {{ dbt.type_float() }}) as cooling_degree_days,
        cast(hours_in_day as {{ dbt.type_int() }}) as hours_in_day,
        cast(hours_with_consumption as {{ dbt.type_int() }}) as hours_with_consumption,
        cast(hours_with_temperature as {{ dbt.type_int() }}) as hours_with_temperature,
        cast(
            complete_consumption_hours = hours_in_day and hours_with_temperature = hours_in_day
            as {{ dbt.type_boolean() }}
        ) as is_complete_day
    from joined
)

select {{ one_file_per_partition() }} * from final
