"""The series the dashboard reads from pre-aggregated marts equal the same figures computed
here from the daily and hourly facts, for periods of every shape.

CONSUMPTION_BY_PERIOD reads whole weeks and months from fct_consumption_by_period and
CO2_BY_HOUR_AND_MONTH whole months from fct_co2_intensity_by_month_and_hour; the days of the
periods the dates cut come from the facts. TOP_PEAKS takes each region's top days through a
lateral top-N. Each is compared with a plain aggregation of the facts over the same dates.
"""

from __future__ import annotations

from contextlib import closing

import pytest

from tests.dashboard.test_dashboard_figures import REGIONS, SELECTIONS
from tests.demo_warehouse import DemoWarehouse, demo_warehouse_once

pytestmark = pytest.mark.e2e

PERIODS = {
    "all the data": ("2024-10-01", "2025-03-31"),
    "whole months": ("2024-11-01", "2025-01-31"),
    "cut weeks and months": ("2024-11-06", "2025-02-13"),
    "inside one week": ("2025-01-14", "2025-01-16"),
    "two cut weeks": ("2025-01-09", "2025-01-15"),
    "one whole week": ("2025-01-06", "2025-01-12"),
    "one day": ("2025-02-28", "2025-02-28"),
    "before the data": ("2020-01-01", "2020-03-01"),
    "wider than the data": ("2013-01-01", "2030-12-31"),
}

CONSUMPTION_FROM_DAYS = """
    select
        region_code,
        cast(date_trunc(%s, cast(consumption_date as timestamp)) as date) as period_start,
        avg(mean_consumption_mw),
        max(peak_consumption_mw),
        sum(energy_mwh),
        avg(mean_temperature_c),
        count(*)
    from marts.fct_consumption_daily
    where region_code = any(%s) and consumption_date between %s and %s
    group by region_code, period_start
    order by region_code, period_start
"""

CO2_FROM_HOURS = """
    select
        cast(extract(month from consumption_date) as integer) as calendar_month,
        local_hour,
        avg(co2_intensity_g_per_kwh)
    from marts.fct_consumption_hourly
    where region_code = %s and consumption_date between %s and %s
        and co2_intensity_g_per_kwh is not null
    group by calendar_month, local_hour
    order by calendar_month, local_hour
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> DemoWarehouse:
    return demo_warehouse_once(tmp_path_factory)


def assert_same_rows(shown: list[tuple], expected: list[tuple]) -> None:
    """Same rows in the same order; keys equal, measures equal to rounding."""
    assert len(shown) == len(expected)
    for got, want in zip(shown, expected, strict=True):
        assert len(got) == len(want)
        for value, reference in zip(got, want, strict=True):
            if isinstance(reference, float):
                assert value == pytest.approx(reference, rel=1e-12), (got, want)
            else:
                assert value == reference, (got, want)


def read_as_the_pages_do(warehouse: DemoWarehouse, params: tuple) -> list[tuple]:
    """CONSUMPTION_BY_PERIOD's rows as db.query returns them: sorted in pandas, not in SQL."""
    from dashboard import db, queries

    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        frame = db.read_frame(
            cur, queries.CONSUMPTION_BY_PERIOD, params, queries.CONSUMPTION_BY_PERIOD_SORT
        )
    return list(frame.itertuples(index=False, name=None))


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("selection", SELECTIONS)
def test_consumption_by_period_equals_the_days_aggregated(
    warehouse, granularity, period, selection
) -> None:

    params = (granularity, SELECTIONS[selection], *PERIODS[period])
    expected = warehouse.sql(CONSUMPTION_FROM_DAYS, params)
    assert_same_rows(read_as_the_pages_do(warehouse, params), expected)
    if period == "all the data":
        assert expected  # the comparison is not vacuous


@pytest.mark.parametrize("period", PERIODS)
def test_co2_heatmap_equals_the_hours_aggregated(warehouse, period) -> None:
    from dashboard import queries

    params = ("FR", *PERIODS[period])
    expected = warehouse.sql(CO2_FROM_HOURS, params)
    assert_same_rows(warehouse.sql(queries.CO2_BY_HOUR_AND_MONTH, params), expected)
    if period == "all the data":
        assert len(expected) == 6 * 24


def test_the_period_marts_hold_whole_weeks_and_months_of_every_region(warehouse) -> None:
    ((regions, granularities),) = warehouse.sql(
        "select count(distinct region_code), count(distinct period_granularity)"
        " from marts.fct_consumption_by_period"
    )
    assert (regions, granularities) == (len(REGIONS) + 1, 2)
    ((months,),) = warehouse.sql(
        "select count(distinct month_start_date) from marts.fct_co2_intensity_by_month_and_hour"
        " where region_code = 'FR'"
    )
    assert months == 6


TOP_DAYS = """
    select region_code, consumption_date
    from (
        select
            region_code,
            consumption_date,
            row_number() over (
                partition by region_code order by peak_consumption_mw desc, consumption_date
            ) as day_rank
        from marts.fct_consumption_daily
        where region_code = any(%s) and consumption_date between %s and %s and is_complete_day
    ) as ranked
    where day_rank <= %s
    order by region_code, day_rank
"""


@pytest.mark.parametrize("period", ["all the data", "cut weeks and months", "inside one week"])
def test_top_peaks_are_each_regions_highest_complete_days(warehouse, period) -> None:
    from dashboard import queries

    params = ([*REGIONS, "FR"], *PERIODS[period], 10)
    rows = warehouse.sql(queries.TOP_PEAKS, params)
    shown = sorted((row[0], row[2], row[3]) for row in rows)
    expected = warehouse.sql(TOP_DAYS, params)
    ranks: dict[str, int] = {}
    want = []
    for code, day in expected:
        ranks[code] = ranks.get(code, 0) + 1
        want.append((code, ranks[code], day))
    assert shown == sorted(want) and want
