with

daily_consumption as (
    select * from {{ ref('fct_consumption_daily') }}
),

-- heating-driven days only: complete, colder than the threshold, inside an October-April season
cold_days as (
    select
        region_code,
        {{ winter_season('consumption_date') }} as winter_season,
        mean_consumption_mw,
        mean_temperature_c
    from daily_consumption
    where
        is_complete_day
        and mean_temperature_c < {{ var('thermosensitivity_max_temperature_c') }}
),

-- least squares: mean consumption = intercept + slope * mean temperature (slope < 0 in winter)
regressions as (
    select
        region_code,
        winter_season,
        -1 * regr_slope(mean_consumption_mw, mean_temperature_c) as thermosensitivity_mw_per_c,
        regr_intercept(mean_consumption_mw, mean_temperature_c) as intercept_mw,
        regr_r2(mean_consumption_mw, mean_temperature_c) as r_squared,
        regr_count(mean_consumption_mw, mean_temperature_c) as day_count,
        avg(mean_temperature_c) as mean_temperature_c
    from cold_days
    where winter_season is not null
    group by 1, 2
    having regr_count(mean_consumption_mw, mean_temperature_c) >= {{ var('thermosensitivity_min_days') }}
),

-- rounded to what the data supports (and so that an exact fit reads 1, not 1.0000000000000002)
final as (
    select
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(winter_season as {{ dbt.type_string() }}) as winter_season,
        cast(round(cast(thermosensitivity_mw_per_c as {{ dbt.type_numeric() }}), 1) as {{ dbt.type_float() }}) as thermosensitivity_mw_per_c,
        cast(round(cast(intercept_mw as {{ dbt.type_numeric() }}), 1) as {{ dbt.type_float() }}) as intercept_mw,
        cast(round(cast(r_squared as {{ dbt.type_numeric() }}), 4) as {{ dbt.type_float() }}) as r_squared,
        cast(day_count as {{ dbt.type_int() }}) as day_count,
        cast(round(cast(mean_temperature_c as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_float() }}) as mean_temperature_c
    from regressions
)

select * from final
