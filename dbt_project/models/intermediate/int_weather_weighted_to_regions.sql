with

hourly_weather as (
    select * from {{ ref('stg_open_meteo__hourly_weather') }}
),

weather_points as (
    select * from {{ ref('weather_points') }}
),

regions as (
    select * from {{ ref('regions') }}
),

weather_at_points as (
    select
        weather_points.region_code,
        weather_points.population_weight,
        {{ utc_hour('hourly_weather.measured_at') }} as hour_at,
        hourly_weather.temperature_c,
        hourly_weather.apparent_temperature_c,
        hourly_weather.wind_speed_100m_kmh,
        hourly_weather.shortwave_radiation_w_m2,
        hourly_weather.cloud_cover_pct,
        hourly_weather.precipitation_mm
    from hourly_weather
    inner join weather_points
        on hourly_weather.point_id = weather_points.point_id
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
        {{ weighted_mean('regional_weather.shortwave_radiation_w_m2', 'regions.population') }} as shortwave_radiation_w_m2,
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
