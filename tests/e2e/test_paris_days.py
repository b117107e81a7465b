"""A period is a run of Paris civil days, as RTE publishes them: December 2021 starts at
2021-11-30 23:00 UTC. Loaded from the stand-in, both sources cover exactly those hours, and the
marts count 31 days of 24 hours."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from extract.sources import open_meteo
from tests.helpers import PROJECT_DIR

pytestmark = pytest.mark.e2e

DECEMBER_2021 = {
    "SOURCES__START_DATE": "2021-12-01",
    "SOURCES__END_DATE": "2022-01-01",
    "SOURCES__ECO2MIX__DATASETS": '["eco2mix-national-cons-def"]',
}
PARIS_HOURS = 31 * 24


@pytest.fixture(scope="module")
def december(tmp_path_factory, standin):
    from tests.helpers import Warehouse

    workdir = tmp_path_factory.mktemp("december")
    warehouse = Warehouse(
        workdir,
        standin.base_url,
        **DECEMBER_2021,
    )
    warehouse.extract(sources=("eco2mix", "open_meteo"))
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {
        **warehouse.env,
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "dbt_project"),
        "DBT_TARGET_PATH": str(workdir / "dbt_target"),
        "DBT_LOG_PATH": str(workdir / "dbt_logs"),
    }
    built = subprocess.run(
        [dbt, "--no-use-colors", "build", "--exclude-resource-type", "unit_test"],
        cwd=PROJECT_DIR / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    warehouse.dbt_output = built.stdout + built.stderr
    warehouse.dbt_code = built.returncode
    yield warehouse
    warehouse.drop()


def test_the_export_holds_every_paris_half_hour_and_nothing_else(december):
    rows = december.sql(
        "select count(*), min(date_heure), max(date_heure) from raw.eco2mix_national"
        " where consommation <> ''"
    )
    assert rows == [(1488, "2021-11-30T23:00:00+00:00", "2021-12-31T22:30:00+00:00")]
    # 00:00 Paris on 1 December to 23:30 Paris on 31 December (UTC+1 all month)


def test_weather_covers_every_hour_of_the_paris_days(december):
    points = len(open_meteo.weather_points())
    rows = december.sql(
        "select count(*), count(distinct time), min(time), max(time) from raw.open_meteo_hourly"
    )
    assert rows == [(points * PARIS_HOURS, PARIS_HOURS, "2021-11-30T23:00", "2021-12-31T22:00")]
    first_hour = december.sql(
        "select count(*) from raw.open_meteo_hourly"
        " where time = '2021-11-30T23:00' and temperature_2m is not null"
    )
    assert first_hour == [(points,)]


def test_the_marts_count_31_days_of_24_hours(december):
    assert december.dbt_code == 0, december.dbt_output[-3000:]
    days = december.sql(
        "select count(*), sum(hours_with_consumption), min(hours_with_consumption),"
        " max(hours_with_consumption), round(sum(energy_mwh)::numeric / 1e6, 2)"
        " from marts.fct_consumption_daily where region_code = 'FR'"
    )
    assert days[0][:4] == (31, PARIS_HOURS, 24, 24)
    print("December 2021 on the stand-in, TWh:", days[0][4])
    assert 40 < days[0][4] < 60  # TWh: the stand-in's December, not RTE's (48.31 TWh)


@pytest.mark.parametrize(
    ("start", "end", "readings", "first", "last"),
    [
        # spring: 30 March 2025 has 23 hours, the month starts at 23:00 UTC and ends at 22:00 UTC
        ("2025-03-01", "2025-04-01", 31 * 48 - 2, "2025-02-28T23:00:00", "2025-03-31T21:30:00"),
        # autumn: 27 October 2024 has 25 hours
        ("2024-10-01", "2024-11-01", 31 * 48 + 2, "2024-09-30T22:00:00", "2024-10-31T22:30:00"),
    ],
    ids=["spring", "autumn"],
)
def test_a_month_with_a_clock_change_starts_and_ends_on_paris_midnights(
    make_warehouse, start, end, readings, first, last
):
    warehouse = make_warehouse(
        SOURCES__START_DATE=start,
        SOURCES__END_DATE=end,
        SOURCES__ECO2MIX__DATASETS='["eco2mix-national-cons-def"]',
    )
    warehouse.extract()
    assert warehouse.sql(
        "select count(*), min(date_heure), max(date_heure) from raw.eco2mix_national"
        " where consommation <> ''"
    ) == [(readings, f"{first}+00:00", f"{last}+00:00")]


def test_clock_change_days_are_complete_with_23_and_25_hours(tmp_path_factory):
    from tests.demo_warehouse import demo_warehouse_once

    demo = demo_warehouse_once(tmp_path_factory)
    rows = demo.sql(
        "select consumption_date::text, hours_in_day, hours_with_consumption, is_complete_day"
        " from marts.fct_consumption_daily where region_code = 'FR'"
        " and consumption_date in ('2024-10-27', '2025-03-30') order by 1"
    )
    assert rows == [("2024-10-27", 25, 25, True), ("2025-03-30", 23, 23, True)]
