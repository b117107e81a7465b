with

source as (select * from {{ source('dlt', '_dlt_loads') }}),

renamed as (
    select
        load_id as dlt_load_id,
        schema_name as source_name,
        status as load_status,
        inserted_at as loaded_at,
        schema_version_hash
    from source
)

select * from renamed
