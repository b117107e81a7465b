{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['region_code', 'hour_at'],
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'hour_at'], 'unique': true}, {'columns': ['hour_at']}],
    )
}}

with

hourly_weather as (
    select * from {{ ref('stg_open_meteo__hourly_weather') }}
    {{ incremental_window('measured_at', 'hour_at', text_column='measured_at_text') }}
),

weather_points as (
    select * from {{ ref('weather_points') }}
),

regions as (
    select * from {{ ref('regions') }}
),

-- radiation and precipitation at `measured_at` describe the hour that ends then: move them to
-- the hour they cover, so that every value of a row describes [hour_at, hour_at + 1 h)
aligned_to_hours as (
    select
        point_id,
        {{ utc_hour('measured_at') }} as hour_at,
        temperature_c,
        apparent_temperature_c,
        wind_speed_100m_kmh,
        cloud_cover_pct,
        case
            when lead(measured_at) over by_time = {{ dbt.dateadd('hour', 1, 'measured_at') }}
                then lead(shortwave_radiation_w_m2) over by_time
        end as shortwave_radiation_w_m2,
        case
            when lead(measured_at) over by_time = {{ dbt.dateadd('hour', 1, 'measured_at') }}
                then lead(precipitation_mm) over by_time
        end as precipitation_mm
    from hourly_weather
    window by_time as (partition by point_id order by measured_at)
),

weather_at_points as (
    select
        weather_points.region_code,
        weather_points.population_weight,
        aligned_to_hours.hour_at,
        aligned_to_hours.temperature_c,
        aligned_to_hours.apparent_temperature_c,
        aligned_to_hours.wind_speed_100m_kmh,
        aligned_to_hours.shortwave_radiation_w_m2,
        aligned_to_hours.cloud_cover_pct,
        aligned_to_hours.precipitation_mm
    from aligned_to_hours
    inner join weather_points
        on aligned_to_hours.point_id = weather_points.point_id
),

-- points -> region, weighted by the share of the region's population each point stands for
regional_weather as (
    select
        region_code,
        hour_at,
        {{ weighted_mean('temperature_c', 'population_weight') }} as temperature_c,
        {{ weighted_mean('apparent_temperature_c', 'population_weight') }} as apparent_temperature_c,
        {{ weighted_mean('wind_speed_100m_kmh', 'population_weight') }} as wind_speed_100m_kmh,
        {{ weighted_mean('shortwave_radiation_w_m2', 'population_weight') }} as shortwave_radiation_w_m2,
        {{ weighted_mean('cloud_cover_pct', 'population_weight') }} as cloud_cover_pct,
        {{ weighted_mean('precipitation_mm', 'population_weight') }} as precipitation_mm,
        count(temperature_c) as temperature_point_count
    from weather_at_points
    group by 1, 2
),

-- regions -> France, weighted by region population
national_weather as (
    select
        '{{ var("national_region_code") }}' as region_code,
        regional_weather.hour_at,
        {{ weighted_mean('regional_weather.temperature_c', 'regions.population') }} as temperature_c,
        {{ weighted_mean('regional_weather.apparent_temperature_c', 'regions.population') }} as apparent_temperature_c,
        {{ weighted_mean('regional_weather.wind_speed_100m_kmh', 'regions.population') }} as wind_speed_100m_kmh,
        {{ weighted_mean('regional_weather.shortwave_radiation_w_m2', 'regions.population') }}
            as shortwave_radiation_w_m2,
        {{ weighted_mean('regional_weather.cloud_cover_pct', 'regions.population') }} as cloud_cover_pct,
        {{ weighted_mean('regional_weather.precipitation_mm', 'regions.population') }} as precipitation_mm,
        sum(regional_weather.temperature_point_count) as temperature_point_count
    from regional_weather
    inner join regions
        on regional_weather.region_code = regions.region_code
    group by 1, 2
),

unioned as (
    select * from regional_weather
    union all
    select * from national_weather
),

final as (
    select
        region_code,
        hour_at,
        temperature_c,
        apparent_temperature_c,
        wind_speed_100m_kmh,
        shortwave_radiation_w_m2,
        cloud_cover_pct,
        precipitation_mm,
        cast(temperature_point_count as {{ dbt.type_int() }}) as temperature_point_count
    from unioned
)

select * from final
