-- Every region of the reference list needs at least one weather point, or it gets no temperature.
select regions.region_code
from {{ ref('regions') }} as regions
left join {{ ref('weather_points') }} as weather_points
    on regions.region_code = weather_points.region_code
where weather_points.point_id is null
