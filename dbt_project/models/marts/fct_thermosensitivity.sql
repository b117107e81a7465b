with

daily_consumption as (select * from {{ ref('fct_consumption_daily') }}),

region_count as (
    select count(*) as region_count from {{ ref('regions') }}
),

-- per day, how many regions are cold: France is in the heating regime only when all of them are
regional_days as (
    select
        consumption_date,
        count(*) as cold_region_count
    from daily_consumption
    where
        region_code <> '{{ var("national_region_code") }}'
        and is_complete_day
        and mean_temperature_c < {{ var('thermosensitivity_max_temperature_c') }}
    group by 1
),

-- heating-driven days only: complete, inside an October-April season, and colder than the
-- threshold in the region itself or, for France, in every region (see the model description)
cold_days as (
    select
        daily_consumption.region_code,
        {{ winter_season('daily_consumption.consumption_date') }} as winter_season,
        daily_consumption.mean_consumption_mw,
        daily_consumption.mean_temperature_c
    from daily_consumption
    left join regional_days
        on daily_consumption.consumption_date = regional_days.consumption_date
    where
        daily_consumption.is_complete_day
        and daily_consumption.mean_temperature_c < {{ var('thermosensitivity_max_temperature_c') }}
        and (
            daily_consumption.region_code <> '{{ var("national_region_code") }}'
            or regional_days.cold_region_count = (select region_count.region_count from region_count)
        )
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
        regr_sxx(mean_consumption_mw, mean_temperature_c) as temperature_sum_of_squares,
        regr_syy(mean_consumption_mw, mean_temperature_c) as consumption_sum_of_squares,
        avg(mean_temperature_c) as mean_temperature_c
    from cold_days
    where winter_season is not null
    group by 1, 2
    having regr_count(mean_consumption_mw, mean_temperature_c) >= {{ var('thermosensitivity_min_days') }}
),

-- standard error of the slope: sqrt(residual variance / Sxx), residual variance = (1 - r²) Syy / (n - 2)
with_standard_error as (
    select
        *,
        sqrt(
            greatest(1 - coalesce(r_squared, 1), 0) * consumption_sum_of_squares
            / nullif((day_count - 2) * temperature_sum_of_squares, 0)
        ) as standard_error_mw_per_c
    from regressions
),

-- rounded to what the data supports (and so that an exact fit reads 1, not 1.0000000000000002)
final as (
    select
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(winter_season as {{ dbt.type_string() }}) as winter_season,
        {{ round_float('thermosensitivity_mw_per_c', 1) }} as thermosensitivity_mw_per_c,
        {{ round_float('standard_error_mw_per_c', 1) }} as standard_error_mw_per_c,
        {{ round_float('intercept_mw', 1) }} as intercept_mw,
        {{ round_float('r_squared', 4) }} as r_squared,
        cast(day_count as {{ dbt.type_int() }}) as day_count,
        {{ round_float('mean_temperature_c', 2) }} as mean_temperature_c
    from with_standard_error
)

select * from final
