"""The dashboard's series that read whole periods from a pre-aggregated mart (queries.py
re-exports them with the other statements).

A period filter rarely starts and ends on the edges of weeks or months: the whole periods
inside the dates are read from the mart, one row each, and only the days or hours of the periods
the dates cut are aggregated from the daily or hourly fact, so the figures are those of the
facts over exactly the chosen dates. `bounds` is the first day of the first whole period and the
day after the last one; the cut days lie before the first or from the second on.
"""


def _in_cut_periods(date_column: str) -> str:
    """`date_column` is one of the chosen days outside every whole period (`bounds`)."""
    return f"""(
                {date_column} between bounds.start_date
                and least(bounds.whole_start_date - 1, bounds.end_date)
                or {date_column}
                between greatest(bounds.whole_end_date, bounds.whole_start_date)
                and bounds.end_date
            )"""


# params: granularity ('day', 'week' or 'month'), regions, start, end. The figures of
# fct_consumption_daily's days aggregated per period (as queries._by_period does), read mostly
# from fct_consumption_by_period: the whole weeks or months inside the dates are the mart's rows,
# and only the days of the periods the dates cut (every day, by day) are aggregated here. A cut
# period keeps the days it has in the dates, and its day_count says so. Unsorted: read it with
# sort_by=CONSUMPTION_BY_PERIOD_SORT (db.query). Weekly over 13 years and 13 regions it is 9,386
# rows, which the server took about 9 ms to sort: sorted in pandas, the DataFrame is ready sooner
# (docs/benchmarks.md).
CONSUMPTION_BY_PERIOD_SORT = ("region_code", "period_start")
CONSUMPTION_BY_PERIOD = f"""
    with chosen as (
        select
            cast(%s as text) as granularity,
            cast(%s as text[]) as region_codes,
            cast(%s as date) as start_date,
            cast(%s as date) as end_date
    ),

    -- the first day of the first whole period, and the day after the last one
    bounds as (
        select
            *,
            case
                when granularity = 'day' then end_date + 1
                else cast(
                    date_trunc(granularity, cast(start_date - 1 as timestamp))
                    + cast('1 ' || granularity as interval)
                    as date
                )
            end as whole_start_date,
            case
                when granularity = 'day' then end_date + 1
                else cast(date_trunc(granularity, cast(end_date + 1 as timestamp)) as date)
            end as whole_end_date
        from chosen
    ),

    whole_periods as (
        select
            periods.region_code,
            periods.period_start_date as period_start,
            periods.mean_consumption_mw,
            periods.peak_consumption_mw,
            periods.energy_mwh,
            periods.mean_temperature_c,
            periods.day_count
        from marts.fct_consumption_by_period as periods
        inner join bounds
            on periods.period_granularity = bounds.granularity
            and periods.region_code = any(bounds.region_codes)
            and periods.period_start_date >= bounds.whole_start_date
            and periods.period_start_date < bounds.whole_end_date
    ),

    cut_periods as (
        select
            daily.region_code,
            cast(
                date_trunc(bounds.granularity, cast(daily.consumption_date as timestamp)) as date
            ) as period_start,
            avg(daily.mean_consumption_mw) as mean_consumption_mw,
            max(daily.peak_consumption_mw) as peak_consumption_mw,
            sum(daily.energy_mwh) as energy_mwh,
            avg(daily.mean_temperature_c) as mean_temperature_c,
            count(*) as day_count
        from marts.fct_consumption_daily as daily
        inner join bounds
            on daily.region_code = any(bounds.region_codes)
            and {_in_cut_periods("daily.consumption_date")}
        group by daily.region_code, period_start
    ),

    periods as (
        select * from whole_periods
        union all
        select * from cut_periods
    )

    select * from periods
"""


# params: region, start, end. CO2 intensity is published for France only. The mean of every
# hour of the period, per calendar month and local hour: the whole months inside the dates are
# read from fct_co2_intensity_by_month_and_hour (each its mean and hour count), the days of the
# months the dates cut from fct_consumption_hourly.
CO2_BY_HOUR_AND_MONTH = f"""
    with chosen as (
        select
            cast(%s as text) as region_code,
            cast(%s as date) as start_date,
            cast(%s as date) as end_date
    ),

    -- the first day of the first whole month, and the day after the last one
    bounds as (
        select
            *,
            cast(
                date_trunc('month', cast(start_date - 1 as timestamp)) + interval '1 month' as date
            ) as whole_start_date,
            cast(date_trunc('month', cast(end_date + 1 as timestamp)) as date) as whole_end_date
        from chosen
    ),

    whole_months as (
        select
            extract(month from months.month_start_date) as calendar_month,
            months.local_hour,
            months.co2_intensity_g_per_kwh * months.hour_count as co2_intensity_total,
            months.hour_count
        from marts.fct_co2_intensity_by_month_and_hour as months
        inner join bounds
            on months.region_code = bounds.region_code
            and months.month_start_date >= bounds.whole_start_date
            and months.month_start_date < bounds.whole_end_date
    ),

    cut_months as (
        select
            extract(month from hourly.consumption_date) as calendar_month,
            hourly.local_hour,
            sum(hourly.co2_intensity_g_per_kwh) as co2_intensity_total,
            count(*) as hour_count
        from marts.fct_consumption_hourly as hourly
        inner join bounds
            on hourly.region_code = bounds.region_code
            and {_in_cut_periods("hourly.consumption_date")}
        where hourly.co2_intensity_g_per_kwh is not null
        group by calendar_month, hourly.local_hour
    ),

    pieces as (
        select * from whole_months
        union all
        select * from cut_months
    )

    select
        cast(calendar_month as integer) as calendar_month,
        local_hour,
        sum(co2_intensity_total) / sum(hour_count) as co2_intensity_g_per_kwh
    from pieces
    group by calendar_month, local_hour
    order by calendar_month, local_hour
"""
