{#- a variable never answered has no column in raw, and before the first load there is no
    table: both give nulls / no rows (macros/raw_column.sql) -#}
{%- set weather = raw_table('open_meteo', 'open_meteo_hourly') -%}
{%- set float = dbt.type_float() -%}

with

renamed as (
    select
        {{ raw_column(weather, 'location_id') }} as point_id,
        {{ local_timestamp_to_utc(
            raw_column(weather, 'time'), "coalesce(" ~ raw_column(weather, 'timezone') ~ ", 'UTC')"
        ) }} as measured_at,
        {{ raw_column(weather, 'time') }} as measured_at_text,
        {{ raw_column(weather, 'temperature_2m', float) }} as temperature_c,
        {{ raw_column(weather, 'apparent_temperature', float) }} as apparent_temperature_c,
        {{ raw_column(weather, 'wind_speed_100m', float) }} as wind_speed_100m_kmh,
        {{ raw_column(weather, 'shortwave_radiation', float) }} as shortwave_radiation_w_m2,
        {{ raw_column(weather, 'cloud_cover', float) }} as cloud_cover_pct,
        {{ raw_column(weather, 'precipitation', float) }} as precipitation_mm,
        {{ raw_column(weather, 'requested_latitude', float) }} as requested_latitude,
        {{ raw_column(weather, 'requested_longitude', float) }} as requested_longitude,
        {{ raw_column(weather, 'latitude', float) }} as grid_latitude,
        {{ raw_column(weather, 'longitude', float) }} as grid_longitude,
        {{ raw_column(weather, 'elevation', float) }} as grid_elevation_m,
        {{ raw_column(weather, '_dlt_load_id') }} as dlt_load_id,
        {{ raw_column(weather, '_source_file') }} as source_file_path
    from {{ raw_from(weather) }}
)

select * from renamed
