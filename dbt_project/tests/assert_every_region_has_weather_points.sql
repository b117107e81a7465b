-- Every region of the reference list needs at least one weather point, or it gets no temperature.
with

regions as (
    select * from {{ ref('regions') }}
),

weather_points as (
    select * from {{ ref('weather_points') }}
),

final as (
    select regions.region_code
    from regions
    left join weather_points
        on regions.region_code = weather_points.region_code
    where weather_points.point_id is null
)

select * from final
