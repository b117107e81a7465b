{{
    config(
        on_schema_change='fail',
        indexes=[
            {'columns': ['region_code', 'consumption_date']},
            {'columns': ['consumption_date']},
            {'columns': ['hour_at']},
        ],
        **incremental_config(['region_code', 'hour_at'], partition_column='month_start_date')
    )
}}

with

hourly_consumption as (
    select * from {{ ref('int_consumption_averaged_to_hours') }}
    {{ incremental_window('hour_at', 'hour_at') }}
),

hourly_weather as (
    select * from {{ ref('int_weather_weighted_to_regions') }}
    {{ incremental_window('hour_at', 'hour_at') }}
),

-- the grid's hours lead; weather is added where it exists. The hourly roll-ups themselves, with
-- their types, are the two intermediate models: their measures pass through unchanged.
final as (
    select
        hourly_consumption.hour_at,
        cast(hourly_consumption.region_code as {{ dbt.type_string() }}) as region_code,
        cast({{ local_date('hourly_consumption.hour_at') }} as date) as consumption_date,
        {{ local_month('hourly_consumption.hour_at') }} as month_start_date,
        {{ local_hour('hourly_consumption.hour_at') }} as local_hour,
        hourly_consumption.mean_consumption_mw,
        hourly_consumption.peak_consumption_mw,
        hourly_consumption.production_mw,
        hourly_consumption.thermal_mw,
        hourly_consumption.coal_mw,
        hourly_consumption.gas_mw,
        hourly_consumption.oil_mw,
        hourly_consumption.nuclear_mw,
        hourly_consumption.wind_mw,
        hourly_consumption.solar_mw,
        hourly_consumption.hydro_mw,
        hourly_consumption.bioenergy_mw,
        hourly_consumption.battery_discharging_mw,
        hourly_consumption.pumping_mw,
        hourly_consumption.battery_charging_mw,
        hourly_consumption.physical_exchanges_mw,
        hourly_consumption.co2_intensity_g_per_kwh,
        hourly_weather.temperature_c,
        hourly_weather.apparent_temperature_c,
        hourly_weather.wind_speed_100m_kmh,
        hourly_weather.shortwave_radiation_w_m2,
        hourly_weather.cloud_cover_pct,
        hourly_weather.precipitation_mm
    from hourly_consumption
    left join hourly_weather
        on hourly_consumption.region_code = hourly_weather.region_code
        and hourly_consumption.hour_at = hourly_weather.hour_at
)

select {{ one_file_per_partition() }} * from final
