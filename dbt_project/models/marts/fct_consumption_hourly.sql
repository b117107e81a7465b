{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['region_code', 'hour_at'],
        on_schema_change='fail',
        indexes=[
            {'columns': ['region_code', 'consumption_date']},
            {'columns': ['consumption_date']},
        ],
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

-- the grid's hours lead; weather is added where it exists
joined as (
    select
        hourly_consumption.*,
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
),

final as (
    select
        hour_at,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast({{ local_date('hour_at') }} as date) as consumption_date,
        {{ local_hour('hour_at') }} as local_hour,
        cast(mean_consumption_mw as {{ dbt.type_float() }}) as mean_consumption_mw,
        cast(peak_consumption_mw as {{ dbt.type_float() }}) as peak_consumption_mw,
        cast(production_mw as {{ dbt.type_float() }}) as production_mw,
        cast(thermal_mw as {{ dbt.type_float() }}) as thermal_mw,
        cast(coal_mw as {{ dbt.type_float() }}) as coal_mw,
        cast(gas_mw as {{ dbt.type_float() }}) as gas_mw,
        cast(oil_mw as {{ dbt.type_float() }}) as oil_mw,
        cast(nuclear_mw as {{ dbt.type_float() }}) as nuclear_mw,
        cast(wind_mw as {{ dbt.type_float() }}) as wind_mw,
        cast(solar_mw as {{ dbt.type_float() }}) as solar_mw,
        cast(hydro_mw as {{ dbt.type_float() }}) as hydro_mw,
        cast(bioenergy_mw as {{ dbt.type_float() }}) as bioenergy_mw,
        cast(battery_discharging_mw as {{ dbt.type_float() }}) as battery_discharging_mw,
        cast(pumping_mw as {{ dbt.type_float() }}) as pumping_mw,
        cast(battery_charging_mw as {{ dbt.type_float() }}) as battery_charging_mw,
        cast(physical_exchanges_mw as {{ dbt.type_float() }}) as physical_exchanges_mw,
        cast(co2_intensity_g_per_kwh as {{ dbt.type_float() }}) as co2_intensity_g_per_kwh,
        cast(temperature_c as {{ dbt.type_float() }}) as temperature_c,
        cast(apparent_temperature_c as {{ dbt.type_float() }}) as apparent_temperature_c,
        cast(wind_speed_100m_kmh as {{ dbt.type_float() }}) as wind_speed_100m_kmh,
        cast(shortwave_radiation_w_m2 as {{ dbt.type_float() }}) as shortwave_radiation_w_m2,
        cast(cloud_cover_pct as {{ dbt.type_float() }}) as cloud_cover_pct,
        cast(precipitation_mm as {{ dbt.type_float() }}) as precipitation_mm
    from joined
)

select * from final
