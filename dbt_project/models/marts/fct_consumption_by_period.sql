{{
    config(
        indexes=[{'columns': ['period_granularity', 'region_code', 'period_start_date']}]
    )
}}

with

daily_consumption as (select * from {{ ref('fct_consumption_daily') }}),

-- every day of fct_consumption_daily once per granularity, with the period holding it
granularities (period_granularity) as (
    values ('week'), ('month')
),

days_in_periods as (
    select
        granularities.period_granularity,
        case granularities.period_granularity
            when 'week' then cast({{ dbt.date_trunc('week', 'daily_consumption.consumption_date') }} as date)
            else cast({{ dbt.date_trunc('month', 'daily_consumption.consumption_date') }} as date)
        end as period_start_date,
        daily_consumption.region_code,
        daily_consumption.mean_consumption_mw,
        daily_consumption.peak_consumption_mw,
        daily_consumption.energy_mwh,
        daily_consumption.mean_temperature_c
    from daily_consumption
    cross join granularities
),

-- the same measures as the dashboard's aggregation of the days (dashboard/queries.py)
periods as (
    select
        period_granularity,
        period_start_date,
        region_code,
        avg(mean_consumption_mw) as mean_consumption_mw,
        max(peak_consumption_mw) as peak_consumption_mw,
        sum(energy_mwh) as energy_mwh,
        avg(mean_temperature_c) as mean_temperature_c,
        count(*) as day_count
    from days_in_periods
    group by period_granularity, period_start_date, region_code
),

final as (
    select
        cast(period_granularity as {{ dbt.type_string() }}) as period_granularity,
        period_start_date,
        cast(
            case period_granularity
                when 'week' then {{ dbt.dateadd('day', 6, 'period_start_date') }}
                else {{ dbt.last_day('period_start_date', 'month') }}
            end as date
        ) as period_end_date,
        region_code,
        cast(mean_consumption_mw as {{ dbt.type_float() }}) as mean_consumption_mw,
        cast(peak_consumption_mw as {{ dbt.type_float() }}) as peak_consumption_mw,
        cast(energy_mwh as {{ dbt.type_float() }}) as energy_mwh,
        cast(mean_temperature_c as {{ dbt.type_float() }}) as mean_temperature_c,
        cast(day_count as {{ dbt.type_int() }}) as day_count
    from periods
)

select * from final
