"""Every SQL statement of the dashboard, as named constants with bound parameters (%s).

Lists are bound as arrays (`region_code = any(%s)` with a Python list). Queries select, filter
and aggregate the marts over the reader's filters; the rules (which days a slope is fitted on,
what counts as low-carbon) stay in the marts.
"""

from datetime import date

# the series read from whole-period marts live in their own module; they are named here too
from dashboard.period_queries import (  # noqa: F401
    CO2_BY_HOUR_AND_MONTH,
    CONSUMPTION_BY_PERIOD,
    CONSUMPTION_BY_PERIOD_SORT,
)

# --- filters -------------------------------------------------------------------------------

REGIONS = """
    select region_code, region_name
    from marts.dim_regions
    order by region_code = 'FR' desc, region_name
"""

# the first and last complete days, so that no chart ends on a partial day by default
DATE_RANGE = """
    select min(consumption_date) as first_date, max(consumption_date) as last_date
    from marts.fct_consumption_daily
    where is_complete_day
"""

# --- overview and pipeline -----------------------------------------------------------------

# params: none
SOURCE_COVERAGE = """
    select
        source_name,
        table_name,
        load_status,
        first_data_at,
        last_data_at,
        last_loaded_at,
        extract(epoch from now() - last_data_at) / 3600 as hours_since_last_data,
        row_count,
        load_count
    from marts.fct_source_coverage
    order by source_name, table_name
"""

# params: region, period end, period end
HEADLINE_FIGURES = """
    select
        min(month_start_date) as first_month,
        max(month_start_date) as last_month,
        count(*) as month_count,
        sum(consumption_mwh) / 1e6 as consumption_twh,
        sum(co2_intensity_g_per_kwh * production_mwh)
            / nullif(sum(case when co2_intensity_g_per_kwh is not null then production_mwh end), 0)
            as co2_intensity_g_per_kwh,
        sum(renewable_share * production_mwh)
            / nullif(sum(case when renewable_share is not null then production_mwh end), 0)
            as renewable_share
    from marts.fct_energy_mix_monthly
    where region_code = %s
        and month_start_date > date_trunc('month', cast(%s as date)) - interval '12 months'
        and month_start_date <= %s
"""


def _by_period(mart: str, measures: str) -> str:
    """A daily mart's measures per region and day, week or month, with the days each holds.
    params: granularity ('day', 'week' or 'month'), regions, start, end."""
    return f"""
    select
        region_code,
        cast(date_trunc(%s, cast(consumption_date as timestamp)) as date) as period_start,
        {measures},
        count(*) as day_count
    from marts.{mart}
    where region_code = any(%s)
        and consumption_date between %s and %s
    group by region_code, period_start
    order by region_code, period_start
"""


# --- temperature and consumption -----------------------------------------------------------

# params: regions, start, end. The days as points, each with its winter season (dim_dates).
DAILY_CONSUMPTION_TEMPERATURE = """
    select
        daily.consumption_date,
        daily.region_code,
        daily.mean_consumption_mw,
        daily.mean_temperature_c,
        dates.winter_season
    from marts.fct_consumption_daily as daily
    inner join marts.dim_dates as dates
        on daily.consumption_date = dates.calendar_date
    where daily.region_code = any(%s)
        and daily.consumption_date between %s and %s
        and daily.is_complete_day
        and daily.mean_temperature_c is not null
    order by daily.region_code, daily.consumption_date
"""

# params: regions, start, end. The warehouse's fit of each winter season the period overlaps:
# always the whole season's, whatever part of it the period covers.
THERMOSENSITIVITY = """
    select
        region_code,
        winter_season,
        thermosensitivity_mw_per_c,
        standard_error_mw_per_c,
        intercept_mw,
        r_squared,
        day_count,
        mean_temperature_c
    from marts.fct_thermosensitivity
    where region_code = any(%s)
        and winter_season in (
            select winter_season from marts.dim_dates where calendar_date between %s and %s
        )
    order by region_code, winter_season
"""

# --- energy mix and carbon -----------------------------------------------------------------

# params: regions, start, end. One row per region per month: France and the regions are never
# added together (France is the sum of the 12 regions).
ENERGY_MIX_MONTHLY = """
    select
        region_code,
        month_start_date,
        nuclear_mwh / 1e3 as nuclear_gwh,
        thermal_mwh / 1e3 as thermal_gwh,
        hydro_mwh / 1e3 as hydro_gwh,
        wind_mwh / 1e3 as wind_gwh,
        solar_mwh / 1e3 as solar_gwh,
        bioenergy_mwh / 1e3 as bioenergy_gwh,
        consumption_mwh / 1e3 as consumption_gwh,
        is_complete_month
    from marts.fct_energy_mix_monthly
    where region_code = any(%s)
        and month_start_date between date_trunc('month', cast(%s as date)) and %s
    order by region_code, month_start_date
"""

# --- regions -------------------------------------------------------------------------------

# params: start, end
REGIONAL_BALANCE = """
    select
        balance.region_code,
        regions.region_name,
        sum(balance.production_mwh) / 1e3 as production_gwh,
        sum(balance.consumption_mwh) / 1e3 as consumption_gwh,
        sum(balance.balance_mwh) / 1e3 as balance_gwh,
        sum(balance.production_mwh) / nullif(sum(balance.consumption_mwh), 0) as coverage_ratio
    from marts.fct_regional_balance as balance
    inner join marts.dim_regions as regions
        on balance.region_code = regions.region_code
    where balance.month_start_date between date_trunc('month', cast(%s as date)) and %s
    group by balance.region_code, regions.region_name
    order by balance_gwh desc
"""

# params: start, end. Seasons of unequal length in the period are compared per month: the mean
# monthly balance of each season, labelled with its years ("winter 2024-25", "spring 2025").
BALANCE_BY_SEASON = """
    select
        balance.region_code,
        regions.region_name,
        dates.meteorological_season,
        case
            when dates.meteorological_season = 'winter'
                then 'winter ' || left(dates.winter_season, 5) || right(dates.winter_season, 2)
            else dates.meteorological_season || ' ' || dates.calendar_year
        end as season_label,
        min(balance.month_start_date) as season_start_date,
        count(*) as month_count,
        avg(balance.balance_mwh) / 1e3 as mean_balance_gwh_per_month
    from marts.fct_regional_balance as balance
    inner join marts.dim_regions as regions
        on balance.region_code = regions.region_code
    inner join marts.dim_dates as dates
        on balance.month_start_date = dates.calendar_date
    where balance.month_start_date between date_trunc('month', cast(%s as date)) and %s
    group by
        balance.region_code, regions.region_name, dates.meteorological_season, season_label
    order by regions.region_name, season_start_date
"""

# --- renewables and weather ----------------------------------------------------------------

# params: regions, start, end
RENEWABLES_DAILY = """
    select
        consumption_date,
        region_code,
        solar_mwh,
        solar_irradiation_kwh_m2,
        wind_mwh,
        mean_wind_speed_100m_kmh
    from marts.fct_renewables_weather
    where region_code = any(%s)
        and consumption_date between %s and %s
    order by region_code, consumption_date
"""

RENEWABLES_BY_PERIOD = _by_period(
    "fct_renewables_weather",
    """avg(mean_solar_mw) as mean_solar_mw,
        avg(mean_wind_mw) as mean_wind_mw,
        avg(solar_irradiation_kwh_m2) as mean_daily_irradiation_kwh_m2,
        avg(mean_wind_speed_100m_kmh) as mean_wind_speed_100m_kmh""",
)

# --- peaks ---------------------------------------------------------------------------------

# params: regions, start, end, how many per region. The highest complete days of the chosen
# period (fct_consumption_peaks keeps only each calendar year's top 10, too few for a month),
# each with the hour holding its highest reading and that hour's weather. Each region's top days
# are a lateral top-N, which reads them in order from the (region_code, peak_consumption_mw
# desc) index of fct_consumption_daily instead of ranking every day of the period.
TOP_PEAKS = """
    with chosen_regions as (
        select region_code, region_name
        from marts.dim_regions
        where region_code = any(%s)
    ),

    top_days as (
        select
            chosen_regions.region_code,
            chosen_regions.region_name,
            region_top.consumption_date,
            region_top.peak_consumption_mw,
            region_top.mean_consumption_mw,
            region_top.mean_temperature_c,
            row_number() over (
                partition by chosen_regions.region_code
                order by region_top.peak_consumption_mw desc, region_top.consumption_date
            ) as rank_in_period
        from chosen_regions
        cross join lateral (
            select
                daily.consumption_date,
                daily.peak_consumption_mw,
                daily.mean_consumption_mw,
                daily.mean_temperature_c
            from marts.fct_consumption_daily as daily
            where daily.region_code = chosen_regions.region_code
                and daily.consumption_date between %s and %s
                and daily.is_complete_day
            order by daily.peak_consumption_mw desc, daily.consumption_date
            limit %s
        ) as region_top
    )

    select
        top_days.region_code,
        top_days.region_name,
        top_days.rank_in_period,
        top_days.consumption_date,
        peak_hour.local_hour as peak_local_hour,
        top_days.peak_consumption_mw,
        top_days.mean_consumption_mw,
        peak_hour.temperature_c as temperature_at_peak_c,
        top_days.mean_temperature_c,
        peak_hour.wind_speed_100m_kmh as wind_speed_at_peak_100m_kmh,
        peak_hour.cloud_cover_pct as cloud_cover_at_peak_pct
    from top_days
    cross join lateral (
        select hourly.local_hour, hourly.temperature_c, hourly.wind_speed_100m_kmh,
            hourly.cloud_cover_pct
        from marts.fct_consumption_hourly as hourly
        where hourly.region_code = top_days.region_code
            and hourly.consumption_date = top_days.consumption_date
        order by hourly.peak_consumption_mw desc, hourly.hour_at
        limit 1
    ) as peak_hour
    order by top_days.region_code = 'FR' desc, top_days.region_name, top_days.rank_in_period
"""

# --- pipeline ------------------------------------------------------------------------------

# params: none
PIPELINE_LOADS = """
    select
        loaded_at,
        source_name,
        table_name,
        dlt_load_id,
        load_status,
        row_count,
        source_file_count,
        oldest_data_at,
        newest_data_at,
        data_lag_hours
    from marts.fct_pipeline_loads
    order by loaded_at desc, table_name
"""

# Example parameters for each query (full period, France or all regions), used by the benchmark
# (tools/bench/bench_chain.py) to time the dashboard's SQL on the built marts, read as db.query
# reads it: into a DataFrame, sorted by NAME_SORT where a statement NAME has one.
_ALL = ["FR", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93"]
_FIRST, _LAST = "2013-01-01", date.today().isoformat()
BENCH_EXAMPLES: dict[str, tuple] = {
    "REGIONS": (),
    "DATE_RANGE": (),
    "SOURCE_COVERAGE": (),
    "HEADLINE_FIGURES": ("FR", _LAST, _LAST),
    "CONSUMPTION_BY_PERIOD": ("week", _ALL, _FIRST, _LAST),
    "DAILY_CONSUMPTION_TEMPERATURE": (["FR"], _FIRST, _LAST),
    "THERMOSENSITIVITY": (_ALL, _FIRST, _LAST),
    "ENERGY_MIX_MONTHLY": (["FR"], _FIRST, _LAST),
    "CO2_BY_HOUR_AND_MONTH": ("FR", _FIRST, _LAST),
    "REGIONAL_BALANCE": (_FIRST, _LAST),
    "BALANCE_BY_SEASON": (_FIRST, _LAST),
    "RENEWABLES_DAILY": (["FR"], _FIRST, _LAST),
    "RENEWABLES_BY_PERIOD": ("week", ["FR"], _FIRST, _LAST),
    "TOP_PEAKS": (_ALL, _FIRST, _LAST, 10),
    "PIPELINE_LOADS": (),
}
