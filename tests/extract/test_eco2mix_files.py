"""éCO2mix files as they really come: quirks, hand downloads, the real captures, -tr datasets.

Each test loads into its own database on the server the PG* variables name, through
`python -m extract eco2mix`, like a user would.
"""

from __future__ import annotations

import datetime as dt
import filecmp

from tests.helpers import exports_requested
from tools.standin.generator import write_dataset

# Technical names, BOM, CRLF, unsorted rows, null markers, an unnamed trailing column, the
# repeated 02:00 of the autumn clock change (two instants).
FIRST = (
    "\ufeffcode_insee_region;libelle_region;nature;date;heure;date_heure;consommation;"
    "eolien_offshore;\r\n"
    "11;Île-de-France;Données consolidées;2024-10-27;02:00;2024-10-27T01:00:00+00:00;ND;-;\r\n"
    "11;Île-de-France;Données consolidées;2024-10-27;02:00;2024-10-27T00:00:00+00:00;7001;;\r\n"
    "11;Île-de-France;Données consolidées;2024-10-27;01:30;2024-10-26T23:30:00+00:00;6900;12;\r\n"
)
# Later, from the portal: labels, no BOM, LF, Paris offsets, `eolien_offshore` gone, a new
# column, the 00:00 UTC row re-published as definitive, twice (the later line wins).
SECOND = (
    "Code INSEE région;Région;Nature;Date;Heure;Date - Heure;Consommation (MW);"
    "Stockage batterie (MW)\n"
    "11;Île-de-France;Données définitives;2024-10-27;02:00;2024-10-27T02:00:00+02:00;7000;5\n"
    "11;Île-de-France;Données définitives;2024-10-27;02:00;2024-10-27T02:00:00+02:00;7002;6\n"
)


def test_real_world_quirks_survive_and_the_newer_row_wins(make_warehouse, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_bytes(FIRST.encode())
    second.write_bytes(SECOND.encode())
    warehouse = make_warehouse()
    warehouse.extract(SOURCES__ECO2MIX__LOCAL_PATH=str(first))
    warehouse.extract(SOURCES__ECO2MIX__LOCAL_PATH=str(second))
    rows = warehouse.sql(
        "select date_heure, nature, consommation, eolien_offshore, stockage_batterie, column_9,"
        " _source_file, _source_row from raw.eco2mix_regional order by date_heure"
    )
    assert rows == [
        ("2024-10-26T23:30:00+00:00", "Données consolidées", "6900", "12", None, None,
         "csv/eco2mix/local/first.csv", 3),
        ("2024-10-27T00:00:00+00:00", "Données définitives", "7002", None, "6", None,
         "csv/eco2mix/local/second.csv", 2),
        ("2024-10-27T01:00:00+00:00", "Données consolidées", "ND", "-", None, None,
         "csv/eco2mix/local/first.csv", 1),
    ]  # fmt: skip
    assert warehouse.scalar("select count(distinct _dlt_load_id) from raw.eco2mix_regional") == 2


def test_hand_downloaded_portal_files_load_into_the_same_columns(make_warehouse, tmp_path):
    downloads = tmp_path / "downloads"
    regional = write_dataset(
        "eco2mix-regional-cons-def",
        downloads / "eco2mix-regional-cons-def.csv",
        "2024-10-26",
        "2024-10-28",
        timezone="Europe/Paris",
        use_labels=True,
        with_bom=True,
    )
    national = write_dataset(
        "eco2mix-national-cons-def", downloads / "eco2mix-national-cons-def.csv",
        "2024-10-26", "2024-10-28", timezone="Europe/Paris", use_labels=True,
    )  # fmt: skip
    assert "Date et Heure" in (downloads / "eco2mix-national-cons-def.csv").read_text()[:400]
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(downloads))
    warehouse.extract()
    assert warehouse.scalar("select count(*) from raw.eco2mix_regional") == regional
    assert warehouse.scalar("select count(*) from raw.eco2mix_national") == national
    assert warehouse.duplicate_keys() == 0
    assert (
        warehouse.scalar(
            "select count(*) from raw.eco2mix_national where date_heure not like '%+00:00'"
        )
        == 0
    )
    for name in ("eco2mix-regional-cons-def.csv", "eco2mix-national-cons-def.csv"):
        landed = warehouse.workdir / "raw" / "csv" / "eco2mix" / "local" / name
        assert filecmp.cmp(landed, downloads / name, shallow=False)  # kept unchanged
    # the same download again: nothing to load
    assert "nothing new to load" in warehouse.extract().stdout


def test_real_captures_load_with_their_sanity_figures(make_warehouse, real_samples):
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(real_samples))
    warehouse.extract()  # both captures are real-time (`-tr`) exports: their own tables
    assert warehouse.scalar("select count(*) from raw.eco2mix_national_tr") == 2976
    assert warehouse.scalar("select count(*) from raw.eco2mix_regional_tr") == 3456
    assert (
        warehouse.scalar("select count(*) from raw.eco2mix_regional_tr where column_64 is not null")
        == 0
    )
    energy_twh, peak_mw = warehouse.sql(
        "select sum(consommation::numeric) * 0.25 / 1e6, max(consommation::int)"
        " from raw.eco2mix_national_tr where consommation ~ '^-?[0-9]+$'"
    )[0]
    assert round(float(energy_twh), 2) == 48.35
    assert peak_mw == 83042


def test_real_time_datasets_are_fetched_for_recent_weeks_only(make_warehouse, standin):
    warehouse = make_warehouse(
        SOURCES__START_DATE="2013-01-01",
        SOURCES__END_DATE="",
        SOURCES__ECO2MIX__DATASETS='["eco2mix-regional-tr"]',
    )
    since = len(standin.request_log)
    warehouse.extract()
    fetched = exports_requested(standin, since)
    assert 2 <= len(fetched) <= 4, fetched
    assert all("eco2mix-regional-tr" in path for path in fetched)
    natures = warehouse.sql("select distinct nature from raw.eco2mix_regional_tr")
    assert natures == [("Données temps réel",)]
    first = warehouse.scalar("select min(date_heure) from raw.eco2mix_regional_tr")
    assert first >= str(dt.date.today() - dt.timedelta(days=63))
    # real-time rows have their own table: they can never replace a consolidated row
    assert warehouse.scalar("select to_regclass('raw.eco2mix_regional')") is None


def test_real_time_rows_never_replace_consolidated_ones(make_warehouse, tmp_path):
    consolidated = tmp_path / "eco2mix-regional-cons-def.csv"
    real_time = tmp_path / "eco2mix-regional-tr.csv"
    header = "code_insee_region;nature;date_heure;consommation\n"
    consolidated.write_text(header + "11;Données consolidées;2024-10-27T00:00:00+00:00;7001\n")
    real_time.write_text(header + "11;Données temps réel;2024-10-27T00:00:00+00:00;6999\n")
    warehouse = make_warehouse()
    warehouse.extract(SOURCES__ECO2MIX__LOCAL_PATH=str(consolidated))
    warehouse.extract(SOURCES__ECO2MIX__LOCAL_PATH=str(real_time))  # a later hand download
    assert warehouse.sql("select nature, consommation from raw.eco2mix_regional") == [
        ("Données consolidées", "7001")
    ]
    assert warehouse.sql("select nature, consommation from raw.eco2mix_regional_tr") == [
        ("Données temps réel", "6999")
    ]


def test_a_missing_local_path_says_how_to_fix_it(make_warehouse, tmp_path):
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(tmp_path / "nowhere.csv"))
    result = warehouse.extract(check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nowhere.csv does not exist" in lines[0], result.stderr
