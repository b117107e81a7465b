-- PostgreSQL estimates the per-day lateral lookup below at about 15 times the rows it returns
-- (a plan cost of 2.7 million on full history), so it compiled the query with LLVM: 0.6 s of
-- JIT for a 0.3 s query. Off for this model only (macros/raw_indexes.sql, docs/benchmarks.md).
{{ config(pre_hook="{{ without_jit() }}") }}

with

daily_consumption as (select * from {{ ref('fct_consumption_daily') }}),

hourly_consumption as (select * from {{ ref('fct_consumption_hourly') }}),

-- how unusual the day's temperature was: against the region's mean for that calendar month
-- over every year in the warehouse
monthly_normals as (
    select
        region_code,
        extract(month from consumption_date) as calendar_month,
        avg(mean_temperature_c) as normal_temperature_c
    from daily_consumption
    where is_complete_day
    group by region_code, extract(month from consumption_date)
),

-- one candidate per day (a peak is a day, not ten readings of the same cold morning)
ranked_days as (
    select
        region_code,
        consumption_date,
        cast(extract(year from consumption_date) as {{ dbt.type_int() }}) as peak_year,
        peak_consumption_mw,
        mean_consumption_mw,
        mean_temperature_c,
        min_temperature_c,
        heating_degree_days,
        row_number() over (
            partition by region_code, extract(year from consumption_date)
            order by peak_consumption_mw desc, consumption_date asc
        ) as peak_rank
    from daily_consumption
    where is_complete_day
),

top_days as (
    select * from ranked_days
    where peak_rank <= {{ var('peak_days_per_year') }}
),

-- the hour holding the day's highest reading, and its weather: looked up for the top days only,
-- through the mart's (region_code, consumption_date) index, instead of ranking every hour
peak_hours as (
    select
        top_days.region_code,
        top_days.consumption_date,
        peak_hour.hour_at,
        peak_hour.temperature_c,
        peak_hour.wind_speed_100m_kmh,
        peak_hour.cloud_cover_pct
    from top_days
    cross join lateral (
        select
            hourly_consumption.hour_at,
            hourly_consumption.temperature_c,
            hourly_consumption.wind_speed_100m_kmh,
            hourly_consumption.cloud_cover_pct
        from hourly_consumption
        where
            hourly_consumption.region_code = top_days.region_code
            and hourly_consumption.consumption_date = top_days.consumption_date
        order by hourly_consumption.peak_consumption_mw desc, hourly_consumption.hour_at asc
        limit 1
    ) as peak_hour
),

final as (
    select
        cast(top_days.region_code as {{ dbt.type_string() }}) as region_code,
        top_days.peak_year,
        cast(top_days.peak_rank as {{ dbt.type_int() }}) as peak_rank,
        top_days.consumption_date,
        peak_hours.hour_at as peak_hour_at,
        {{ local_hour('peak_hours.hour_at') }} as peak_local_hour,
        top_days.peak_consumption_mw,
        top_days.mean_consumption_mw,
        cast(peak_hours.temperature_c as {{ dbt.type_float() }}) as temperature_at_peak_c,
        top_days.mean_temperature_c,
        top_days.min_temperature_c,
        top_days.heating_degree_days,
        cast(
            top_days.mean_temperature_c - monthly_normals.normal_temperature_c as {{ dbt.type_float() }}
        ) as temperature_anomaly_c,
        cast(peak_hours.wind_speed_100m_kmh as {{ dbt.type_float() }}) as wind_speed_at_peak_100m_kmh,
        cast(peak_hours.cloud_cover_pct as {{ dbt.type_float() }}) as cloud_cover_at_peak_pct
    from top_days
    inner join peak_hours
        on top_days.region_code = peak_hours.region_code
        and top_days.consumption_date = peak_hours.consumption_date
    left join monthly_normals
        on top_days.region_code = monthly_normals.region_code
        and extract(month from top_days.consumption_date) = monthly_normals.calendar_month
)

select * from final
