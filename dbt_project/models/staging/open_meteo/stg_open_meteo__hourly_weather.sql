with

source as (
    select * from {{ source('open_meteo', 'open_meteo_hourly') }}
),

renamed as (
    select
        location_id as point_id,
        {{ local_timestamp_to_utc('time', "coalesce(timezone, 'UTC')") }} as measured_at,
        time as measured_at_text,
        temperature_2m as temperature_c,
        apparent_temperature as apparent_temperature_c,
        wind_speed_100m as wind_speed_100m_kmh,
        shortwave_radiation as shortwave_radiation_w_m2,
        cloud_cover as cloud_cover_pct,
        precipitation as precipitation_mm,
        requested_latitude,
        requested_longitude,
        latitude as grid_latitude,
        longitude as grid_longitude,
        elevation as grid_elevation_m,
        _dlt_load_id as dlt_load_id,
        _source_file as source_file_path
    from source
)

select * from renamed
