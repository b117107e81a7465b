"""dbt on the column sets of each era of the éCO2mix files, and on warehouses missing whole tables.

A raw table has the columns of the files loaded into it (docs/raw-contract.md): staging must read
what is there, give a typed null for a column that is not, and no rows for a table that is not.
Each warehouse is loaded like a user would (`python -m extract`, hand downloads through
`local_path` or the stand-in), then built once (`dbt build`, unit tests left out as `make run`
does; tests/test_real_captures_chain.py runs them on a warehouse without consolidated tables).

The era files are written here, in a temporary folder: the stand-in's data for the period, cut
to the exact header of the era (portal labels, as a hand download has them). The 2020 regional
and 2021 national headers are those of the real captures in ../shared/real-samples
(tests/test_real_captures_chain.py checks they match).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from extract.sources.eco2mix.parse import column_names
from tests.era_headers import NATIONAL_2021, REGIONAL_2013_2019, REGIONAL_2020
from tools.standin.generator import write_dataset

pytestmark = pytest.mark.e2e

PARIS = "Europe/Paris"


def era_file(
    path: Path, dataset: str, header: list[str], start: str, end: str, missing: str = ""
) -> int:
    """The stand-in's rows of Paris days [start, end) under an era's `header`: columns the
    stand-in has keep their values, the others are `missing`; so is every empty value."""
    full = path.with_suffix(".full")
    write_dataset(dataset, full, pd.Timestamp(start, tz=PARIS), pd.Timestamp(end, tz=PARIS))
    with full.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    full.unlink()
    names = column_names(";".join(header))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([row.get(name) or missing for name in names] for row in rows)
    return len(rows)


def columns_of(warehouse, table: str) -> set[str]:
    schema, name = table.split(".")
    return {
        column
        for (column,) in warehouse.sql(
            "select column_name from information_schema.columns"
            " where table_schema = %s and table_name = %s",
            (schema, name),
        )
    }


def coverage(warehouse) -> dict[str, tuple]:
    rows = warehouse.sql(
        "select table_name, load_status, row_count from marts.fct_source_coverage order by 1"
    )
    return {table: (status, count) for table, status, count in rows}


def not_loaded(*tables: str) -> dict[str, tuple]:
    return {table: ("not loaded", 0) for table in tables}


def test_only_the_national_dataset_configured(make_warehouse):
    """`datasets = ["eco2mix-national-cons-def"]` and no weather: no regional table, no
    real-time table, no weather table in raw; the build is green and says what is missing."""
    warehouse = make_warehouse(
        SOURCES__START_DATE="2024-11-01",
        SOURCES__END_DATE="2024-11-08",
        SOURCES__ECO2MIX__DATASETS='["eco2mix-national-cons-def"]',
    )
    warehouse.extract()
    assert warehouse.scalar("select to_regclass('raw.eco2mix_regional')") is None
    national_rows = warehouse.scalar("select count(*) from raw.eco2mix_national")
    warehouse.dbt("build", "--exclude-resource-type", "unit_test")

    for model in ("stg_eco2mix__regional_consumption", "stg_open_meteo__hourly_weather"):
        assert warehouse.scalar(f"select count(*) from staging.{model}") == 0
    # an empty staging model keeps its columns and their types
    types = dict(
        warehouse.sql(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'staging' and table_name = 'stg_eco2mix__regional_consumption'"
        )
    )
    assert types["consumption_mw"] == "numeric"
    assert types["measured_at"] == "timestamp with time zone"
    assert types["region_code"] == "text"
    assert warehouse.sql("select distinct region_code from marts.fct_consumption_daily") == [
        ("FR",)
    ]
    assert coverage(warehouse) == {
        "eco2mix_national": ("loaded", national_rows),
        **not_loaded("eco2mix_regional", "eco2mix_regional_tr", "eco2mix_national_tr"),
        **not_loaded("open_meteo_hourly"),
    }


@pytest.fixture
def regional_eras(tmp_path) -> tuple[Path, dict[str, int]]:
    """A folder of hand downloads: a 2019 regional file and a 2020 one (`-` markers)."""
    folder = tmp_path / "regional_eras"
    folder.mkdir()
    rows = {
        "2019": era_file(
            folder / "regional_2019.csv",
            "eco2mix-regional-cons-def",
            REGIONAL_2013_2019,
            "2019-01-10",
            "2019-01-12",
        ),
        "2020": era_file(
            folder / "regional_2020.csv",
            "eco2mix-regional-cons-def",
            REGIONAL_2020,
            "2020-05-01",
            "2020-05-03",
            missing="-",
        ),
    }
    return folder, rows


def test_regional_eras_alone_then_mixed_with_every_other_era(
    make_warehouse, regional_eras, tmp_path
):
    """Only regional files of 2019 and 2020 first (no national, no real time, no weather); then
    the national file of December 2021 (37 columns, exact Paris days) and today's full schema
    of both datasets join them in the same warehouse."""
    folder, rows = regional_eras
    warehouse = make_warehouse()
    warehouse.extract(SOURCES__ECO2MIX__LOCAL_PATH=str(folder))
    raw_columns = columns_of(warehouse, "raw.eco2mix_regional")
    assert {"import_grand_est", "tco_thermique", "column_64"} <= raw_columns
    assert "eolien_terrestre" not in raw_columns and "stockage_batterie" not in raw_columns
    warehouse.dbt("build", "--exclude-resource-type", "unit_test")

    staged = warehouse.sql(
        "select extract(year from measured_at)::int, count(*), count(consumption_mw),"
        " count(onshore_wind_mw), count(battery_charging_mw), count(thermal_coverage_pct)"
        " from staging.stg_eco2mix__regional_consumption group by 1 order by 1"
    )
    # 2019 has no TCO/TCH columns; neither year has the onshore wind or battery columns
    assert staged[0][:2] == (2019, rows["2019"]) and staged[0][3:] == (0, 0, 0)
    assert staged[1][:2] == (2020, rows["2020"]) and staged[1][3:5] == (0, 0)
    assert staged[1][5] > 0  # the 2020 file has the TCO/TCH rates
    # `-` markers are nulls: a staged value exists exactly where raw has a number
    dashes, nulls = warehouse.sql(
        "select (select count(*) from raw.eco2mix_regional where nucleaire = '-'),"
        " (select count(*) from staging.stg_eco2mix__regional_consumption"
        "  where nuclear_mw is null and measured_at >= '2020-01-01')"
    )[0]
    assert dashes > 0 and nulls == dashes
    assert warehouse.scalar("select count(*) from staging.stg_eco2mix__national_consumption") == 0
    assert "FR" not in {code for (code,) in warehouse.sql(
        "select distinct region_code from marts.fct_consumption_daily"
    )}  # fmt: skip
    assert coverage(warehouse) == {
        "eco2mix_regional": ("loaded", rows["2019"] + rows["2020"]),
        **not_loaded("eco2mix_national", "eco2mix_regional_tr", "eco2mix_national_tr"),
        **not_loaded("open_meteo_hourly"),
    }

    # every era in one warehouse
    later = tmp_path / "later_eras"
    later.mkdir()
    era_file(
        later / "national_2021.csv",
        "eco2mix-national-cons-def",
        NATIONAL_2021,
        "2021-12-01",
        "2022-01-01",
    )
    write_dataset(
        "eco2mix-national-cons-def", later / "national_today.csv", "2025-01-06", "2025-01-08"
    )
    write_dataset(
        "eco2mix-regional-cons-def", later / "regional_today.csv", "2025-01-06", "2025-01-08"
    )
    warehouse.extract(SOURCES__ECO2MIX__LOCAL_PATH=str(later))
    # older rows than the warehouse's newest: a backfill, which needs a full refresh
    warehouse.dbt("build", "--exclude-resource-type", "unit_test", "--full-refresh")

    days = warehouse.sql(
        "select count(*), sum(hours_with_consumption), count(*) filter (where hours_in_day = 24"
        " and hours_with_consumption = 24) from marts.fct_consumption_daily"
        " where region_code = 'FR' and consumption_date between '2021-12-01' and '2021-12-31'"
    )
    assert days == [(31, 744, 31)]  # Paris days: each starts at 23:00 UTC in winter
    wind = warehouse.sql(
        "select extract(year from measured_at)::int, count(wind_mw) > 0,"
        " count(onshore_wind_mw) > 0, count(battery_charging_mw) > 0"
        " from staging.stg_eco2mix__national_consumption group by 1 order by 1"
    )
    assert wind == [(2021, True, False, False), (2025, True, True, True)]
    regional_years = warehouse.sql(
        "select extract(year from measured_at)::int, count(onshore_wind_mw) > 0"
        " from staging.stg_eco2mix__regional_consumption group by 1 order by 1"
    )
    assert regional_years == [(2019, False), (2020, False), (2025, True)]
    loaded = coverage(warehouse)
    assert loaded["eco2mix_national"][0] == loaded["eco2mix_regional"][0] == "loaded"
    assert {table: loaded[table] for table in ("eco2mix_regional_tr", "open_meteo_hourly")} == (
        not_loaded("eco2mix_regional_tr", "open_meteo_hourly")
    )
