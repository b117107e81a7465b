-- Each region's weather points must carry population weights summing to 1,
-- or the regional weighted temperatures in int_weather_weighted_to_regions are off.
with

weather_points as (select * from {{ ref('weather_points') }}),

regional_weights as (
    select
        region_code,
        sum(population_weight) as total_weight
    from weather_points
    group by 1
),

final as (
    select * from regional_weights
    where abs(total_weight - 1) > 0.001
)

select * from final
