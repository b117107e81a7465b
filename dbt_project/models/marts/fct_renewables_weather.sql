{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['consumption_date', 'region_code'],
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'consumption_date']}],
    )
}}

with

hourly_consumption as (
    select * from {{ ref('fct_consumption_hourly') }}
    {%- if is_incremental() %}
    where consumption_date >= {{ lookback_start('consumption_date') }}
    {%- endif %}
),

-- hourly means in MW are MWh per hour; hourly mean irradiance in W/m² is Wh/m² per hour
daily as (
    select
        consumption_date,
        region_code,
        sum(solar_mw) as solar_mwh,
        avg(solar_mw) as mean_solar_mw,
        sum(shortwave_radiation_w_m2) / 1000 as solar_irradiation_kwh_m2,
        avg(cloud_cover_pct) as mean_cloud_cover_pct,
        sum(wind_mw) as wind_mwh,
        avg(wind_mw) as mean_wind_mw,
        avg(wind_speed_100m_kmh) as mean_wind_speed_100m_kmh,
        max(wind_speed_100m_kmh) as max_wind_speed_100m_kmh,
        sum(precipitation_mm) as precipitation_mm,
        sum(mean_consumption_mw) as consumption_mwh,
        count(solar_mw) as hours_with_solar,
        count(wind_mw) as hours_with_wind,
        count(shortwave_radiation_w_m2) as hours_with_radiation,
        count(wind_speed_100m_kmh) as hours_with_wind_speed
    from hourly_consumption
    group by 1, 2
),

final as (
    select
        consumption_date,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(solar_mwh as {{ dbt.type_float() }}) as solar_mwh,
        cast(mean_solar_mw as {{ dbt.type_float() }}) as mean_solar_mw,
        cast(solar_irradiation_kwh_m2 as {{ dbt.type_float() }}) as solar_irradiation_kwh_m2,
        cast(
            {{ safe_divide('solar_mwh', 'solar_irradiation_kwh_m2') }} as {{ dbt.type_float() }}
        ) as solar_mwh_per_kwh_m2,
        cast(mean_cloud_cover_pct as {{ dbt.type_float() }}) as mean_cloud_cover_pct,
        cast(wind_mwh as {{ dbt.type_float() }}) as wind_mwh,
        cast(mean_wind_mw as {{ dbt.type_float() }}) as mean_wind_mw,
        cast(mean_wind_speed_100m_kmh as {{ dbt.type_float() }}) as mean_wind_speed_100m_kmh,
        cast(max_wind_speed_100m_kmh as {{ dbt.type_float() }}) as max_wind_speed_100m_kmh,
        cast(precipitation_mm as {{ dbt.type_float() }}) as precipitation_mm,
        cast(
            {{ safe_divide('solar_mwh + wind_mwh', 'consumption_mwh') }} as {{ dbt.type_float() }}
        ) as wind_solar_share_of_consumption,
        cast(hours_with_solar as {{ dbt.type_int() }}) as hours_with_solar,
        cast(hours_with_wind as {{ dbt.type_int() }}) as hours_with_wind,
        cast(hours_with_radiation as {{ dbt.type_int() }}) as hours_with_radiation,
        cast(hours_with_wind_speed as {{ dbt.type_int() }}) as hours_with_wind_speed
    from daily
)

select * from final
