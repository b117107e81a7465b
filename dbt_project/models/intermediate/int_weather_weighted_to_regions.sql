{{
    config(
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'hour_at'], 'unique': true}, {'columns': ['hour_at']}],
        **incremental_config(['region_code', 'hour_at'], partition_column='local_month')
    )
}}

{#- the weather variables of a row, each a population-weighted mean of the region's points -#}
{%- set weather_variables = [
    'temperature_c', 'apparent_temperature_c', 'wind_speed_100m_kmh', 'shortwave_radiation_w_m2',
    'cloud_cover_pct', 'precipitation_mm',
] -%}

with

hourly_weather as (
    select * from {{ ref('stg_open_meteo__hourly_weather') }}
    {{ incremental_window('measured_at', 'hour_at', text_column='measured_at_text') }}
),

weather_points as (select * from {{ ref('weather_points') }}),

regions as (select * from {{ ref('regions') }}),

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
        aligned_to_hours.*
    from aligned_to_hours
    inner join weather_points
        on aligned_to_hours.point_id = weather_points.point_id
),

-- points -> region, weighted by the share of the region's population each point stands for
regional_weather as (
    select
        region_code,
        hour_at,
        {%- for variable in weather_variables %}
        {{ weighted_mean(variable, 'population_weight') }} as {{ variable }},
        {%- endfor %}
        count(temperature_c) as temperature_point_count
    from weather_at_points
    group by 1, 2
),

-- regions -> France, weighted by region population
national_weather as (
    select
        '{{ var("national_region_code") }}' as region_code,
        regional_weather.hour_at,
        {%- for variable in weather_variables %}
        {{ weighted_mean('regional_weather.' ~ variable, 'regions.population') }} as {{ variable }},
        {%- endfor %}
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
        {{ local_month('hour_at') }} as local_month,
        temperature_c,
        apparent_temperature_c,
        wind_speed_100m_kmh,
        shortwave_radiation_w_m2,
        cloud_cover_pct,
        precipitation_mm,
        cast(temperature_point_count as {{ dbt.type_int() }}) as temperature_point_count
    from unioned
)

select {{ one_file_per_partition() }} * from final
