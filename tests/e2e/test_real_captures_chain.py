"""The real captures of ../shared/real-samples through the whole chain: extract, then dbt build.

Both are real-time (`Données temps réel`) hand downloads of older eras: the national file of
December 2021 (37 columns, 15-minute rows) and the PACA regional file of May 2020 (66 columns,
`-` markers). So this warehouse has no consolidated table and no weather at all: the plain
`dbt build`, unit tests included, must be green on it. Skipped when ../shared is absent.
"""

from __future__ import annotations

import pytest

from extract.sources.eco2mix.parse import column_names, read_header
from tests.era_headers import NATIONAL_2021, REGIONAL_2020

pytestmark = pytest.mark.e2e

NATIONAL_FILE = "eco2mix-national-tr_2021-12.csv"
REGIONAL_FILE = "eco2mix-regional-tr_PACA_2020-05.csv"


@pytest.fixture
def built(make_warehouse, real_samples):
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(real_samples))
    warehouse.extract()
    warehouse.dbt("build")
    return warehouse


def test_real_captures_build_green_with_their_sanity_figures(built, real_samples):
    # the national capture: 48.35 TWh over 31 Paris days of 24 hours, peak 83,042 MW
    daily = built.sql(
        "select count(*), sum(hours_with_consumption), sum(energy_mwh) / 1e6,"
        " max(peak_consumption_mw), bool_and(hours_with_consumption = hours_in_day)"
        " from marts.fct_consumption_daily where region_code = 'FR'"
    )[0]
    assert daily[:2] == (31, 744)
    assert round(daily[2], 2) == 48.35
    assert daily[3] == 83042
    assert daily[4] is True
    monthly = built.sql(
        "select month_start_date::text, consumption_mwh / 1e6, hour_count"
        " from marts.fct_energy_mix_monthly where region_code = 'FR'"
    )
    assert [(month, round(twh, 2), hours) for month, twh, hours in monthly] == [
        ("2021-12-01", 48.35, 744)
    ]

    # the PACA capture lands in region 93; its `-` markers (the Import/Export columns, which
    # staging does not read) do not break the build, and every staged number is a raw number
    staged = built.sql(
        "select region_code, count(*), count(consumption_mw), count(nuclear_mw),"
        " count(thermal_coverage_pct), count(onshore_wind_mw)"
        " from staging.stg_eco2mix__regional_consumption group by 1"
    )
    numbers = built.sql(
        "select count(*) filter (where consommation ~ '^[0-9.]+$'),"
        " count(*) filter (where tco_thermique ~ '^[0-9.]+$'),"
        " count(*) filter (where import_grand_est = '-')"
        " from raw.eco2mix_regional_tr"
    )[0]
    assert staged == [("93", 3456, numbers[0], 0, numbers[1], 0)]
    assert numbers[2] > 0
    assert (
        built.scalar("select count(*) from marts.fct_consumption_daily where region_code = '93'")
        == 36
    )  # 2020-05-01 to 2020-06-05, Paris days

    # no consolidated table, no weather: staging is empty there, the coverage mart says so
    assert built.scalar("select count(*) from staging.stg_open_meteo__hourly_weather") == 0
    coverage = built.sql(
        "select table_name, load_status, row_count from marts.fct_source_coverage order by 1"
    )
    assert coverage == [
        ("eco2mix_national", "not loaded", 0),
        ("eco2mix_national_tr", "loaded", 2976),
        ("eco2mix_regional", "not loaded", 0),
        ("eco2mix_regional_tr", "loaded", 3456),
        ("open_meteo_hourly", "not loaded", 0),
    ]


def test_era_headers_of_the_era_tests_are_the_real_ones(real_samples):
    """tests/test_dbt_eras.py writes its 2020 regional and 2021 national files with these
    headers: they must be exactly those of the real captures."""
    assert column_names(";".join(REGIONAL_2020)) == column_names(
        read_header(real_samples / REGIONAL_FILE)
    )
    assert column_names(";".join(NATIONAL_2021)) == column_names(
        read_header(real_samples / NATIONAL_FILE)
    )
    assert (len(REGIONAL_2020), len(NATIONAL_2021)) == (66, 37)
