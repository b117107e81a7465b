with

regional_source as (
    select * from {{ source('eco2mix', 'eco2mix_regional') }}
),

national_source as (
    select * from {{ source('eco2mix', 'eco2mix_national') }}
),

weather_source as (
    select * from {{ source('open_meteo', 'open_meteo_hourly') }}
),

-- lineage only: the load and the landing file each raw row comes from
renamed as (
    select
        'eco2mix' as source_name,
        'eco2mix_regional' as table_name,
        _dlt_load_id as dlt_load_id,
        _source_file as source_file_path,
        cast(date_heure as timestamp with time zone) as measured_at
    from regional_source
    union all
    select
        'eco2mix' as source_name,
        'eco2mix_national' as table_name,
        _dlt_load_id as dlt_load_id,
        _source_file as source_file_path,
        cast(date_heure as timestamp with time zone) as measured_at
    from national_source
    union all
    select
        'open_meteo' as source_name,
        'open_meteo_hourly' as table_name,
        _dlt_load_id as dlt_load_id,
        _source_file as source_file_path,
        {{ local_timestamp_to_utc('time', "coalesce(timezone, 'UTC')") }} as measured_at
    from weather_source
)

select * from renamed
