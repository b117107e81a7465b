"""The chain on the stand-in serving each era's files as they were (`eras=True`): one month of
each éCO2mix layout, fetched through the same export API into one warehouse, then one
`dbt build`. Staging reads what each file had; a column an era lacks is null, not an error."""

from __future__ import annotations

import pytest

from tests.helpers import Warehouse
from tools.standin.server import start_standin

pytestmark = pytest.mark.e2e

# one month in each era of tools/standin/eras.py, oldest first (regional 2013-2019, 2020,
# 2021 on; national to 2021, then today's)
MONTHS = ("2015-06", "2020-05", "2021-12", "2024-11")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    server, base_url = start_standin(port=0, eras=True)
    warehouse = Warehouse(tmp_path_factory.mktemp("eras"), base_url)
    try:
        for month in MONTHS:
            year, number = (int(part) for part in month.split("-"))
            following = f"{year + number // 12}-{number % 12 + 1:02d}-01"
            warehouse.extract(SOURCES__START_DATE=f"{month}-01", SOURCES__END_DATE=following)
        warehouse.built = warehouse.dbt("build", "--exclude-resource-type", "unit_test")
    finally:
        server.stop()
    yield warehouse
    warehouse.drop()


def test_raw_keeps_each_era_s_own_columns(mixed):
    columns = {
        row[0]
        for row in mixed.sql(
            "select column_name from information_schema.columns"
            " where table_schema = 'raw' and table_name = 'eco2mix_regional'"
        )
    }
    # the 2020 layout's flows per neighbour and today's battery columns, side by side
    assert {"import_grand_est", "stockage_batterie", "tco_thermique"} <= columns


def test_every_era_reaches_the_marts(mixed):
    months = mixed.sql(
        "select to_char(month_start_date, 'YYYY-MM'), count(distinct region_code)"
        " from marts.fct_energy_mix_monthly group by 1 order by 1"
    )
    assert [month for month, _ in months] == list(MONTHS)
    assert all(regions == 13 for _, regions in months), months  # 12 regions and France


def test_a_column_an_era_lacks_is_null_in_staging(mixed):
    by_year = dict(
        mixed.sql(
            "select extract(year from measured_at)::int, count(battery_charging_mw)"
            " from staging.stg_eco2mix__regional_consumption group by 1"
        )
    )
    assert by_year[2015] == 0 and by_year[2020] == 0  # no battery column then
    assert by_year[2024] > 0
    markers = mixed.scalar(
        "select count(*) from raw.eco2mix_regional where import_grand_est in ('-', 'ND')"
    )
    assert markers > 0  # the old layouts' null markers came through raw as published
