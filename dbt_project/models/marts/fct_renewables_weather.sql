{{
    config(
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'consumption_date']}],
        **incremental_config(['consumption_date', 'region_code'], partition_column='month_start_date')
    )
}}

with

hourly_consumption as (
    select * from {{ ref('fct_consumption_hourly') }}
    {%- if is_incremental() %}
    where consumption_date >= {{ dbt.date_trunc(window_grain('day'), lookback_start('consumption_date')) }}
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
        cast(count(solar_mw) as {{ dbt.type_int() }}) as hours_with_solar,
        cast(count(wind_mw) as {{ dbt.type_int() }}) as hours_with_wind,
        cast(count(shortwave_radiation_w_m2) as {{ dbt.type_int() }}) as hours_with_radiation,
        cast(count(wind_speed_100m_kmh) as {{ dbt.type_int() }}) as hours_with_wind_speed
    from hourly_consumption
    group by 1, 2
),

final as (
    select
        consumption_date,
        cast({{ dbt.date_trunc('month', 'consumption_date') }} as date) as month_start_date,
        region_code,
        solar_mwh,
        mean_solar_mw,
        solar_irradiation_kwh_m2,
        {{ safe_divide('solar_mwh', 'solar_irradiation_kwh_m2') }} as solar_mwh_per_kwh_m2,
        mean_cloud_cover_pct,
        wind_mwh,
        mean_wind_mw,
        mean_wind_speed_100m_kmh,
        max_wind_speed_100m_kmh,
        precipitation_mm,
        {{ safe_divide('solar_mwh + wind_mwh', 'consumption_mwh') }} as wind_solar_share_of_consumption,
        hours_with_solar,
        hours_with_wind,
        hours_with_radiation,
        hours_with_wind_speed
    from daily
)

select {{ one_file_per_partition() }} * from final
