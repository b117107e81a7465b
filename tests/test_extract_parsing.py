"""Fetch, parse and chunk logic of the two sources, without network nor database."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from extract.landing import SourceError, month_chunks
from extract.sources import eco2mix, open_meteo

POINT = {"point_id": "test_point", "latitude": "-34.9", "longitude": "138.6"}


def test_month_chunks_cover_the_period_without_overlap():
    chunks = list(month_chunks(dt.date(2024, 10, 15), dt.date(2025, 1, 2)))
    assert chunks == [
        (dt.date(2024, 10, 15), dt.date(2024, 11, 1)),
        (dt.date(2024, 11, 1), dt.date(2024, 12, 1)),
        (dt.date(2024, 12, 1), dt.date(2025, 1, 1)),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 2)),
    ]


def test_export_params_filter_one_month_in_utc():
    params = eco2mix.export_params(dt.date(2024, 10, 1), dt.date(2024, 11, 1))
    assert params["where"] == "date_heure >= '2024-10-01' and date_heure < '2024-11-01'"
    assert params["timezone"] == "UTC" and params["use_labels"] == "false"


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Service unavailable</body></html>",
        b'{"error_code": "ODSQLError", "message": "bad where"}',
        b"code_insee_region,date_heure,consommation\n11,2024-01-01T00:00:00+00:00,1\n",
    ],
    ids=["html", "json", "comma-delimited"],
)
def test_validate_csv_rejects_what_is_not_an_export(body):
    with pytest.raises(SourceError):
        eco2mix.validate_csv(body)


def test_read_export_keeps_values_as_published(landing):
    path = landing / "csv" / "sample.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        "\ufeffcode_insee_region;date_heure;consommation;nucleaire\r\n"
        "11;2024-10-27T00:00:00+00:00;7001;\r\n"
        "11;2024-10-27T01:00:00+00:00;ND;-\r\n".encode()
    )
    table = eco2mix.read_export(path)
    assert table.column_names == [
        "code_insee_region",
        "date_heure",
        "consommation",
        "nucleaire",
        "_source_file",
    ]
    assert table.column("consommation").to_pylist() == ["7001", "ND"]
    assert table.column("nucleaire").to_pylist() == ["", "-"]
    assert set(table.column("_source_file").to_pylist()) == {"csv/sample.csv"}


@pytest.mark.parametrize(
    ("name", "rows", "columns"),
    [
        ("eco2mix-national-tr_2021-12.csv", 2976, 37),
        ("eco2mix-regional-tr_PACA_2020-05.csv", 3456, 66),
    ],
)
def test_real_captures_parse_with_every_row(real_samples, landing, name, rows, columns):
    path = landing / name
    shutil.copy(real_samples / name, path)
    table = eco2mix.read_export(path)
    assert table.num_rows == rows
    assert table.num_columns == columns + 1  # + _source_file
    assert {"date_heure", "consommation", "nature"} <= set(table.column_names)


@pytest.mark.parametrize(
    ("label", "technical"),
    [
        ("Code INSEE région", "code_insee_region"),
        ("Région", "libelle_region"),
        ("Date - Heure", "date_heure"),
        ("Date et Heure", "date_heure"),
        ("Consommation (MW)", "consommation"),
        ("Prévision J-1 (MW)", "prevision_j1"),
        ("Taux de CO2 (g/kWh)", "taux_co2"),
        ("Ech. comm. Allemagne-Belgique (MW)", "ech_comm_allemagne_belgique"),
        ("Hydraulique - Fil de l'eau + éclusée (MW)", "hydraulique_fil_eau_eclusee"),
        ("TCH Bioénergies (%)", "tch_bioenergies"),
        ("Column 64", "column_64"),
        ("date_heure", "date_heure"),
    ],
)
def test_portal_labels_map_to_technical_names(label, technical):
    assert eco2mix.technical_name(label) == technical


def test_real_open_meteo_capture_flattens_to_one_row_per_hour(real_samples, landing):
    path = landing / "archive.json"
    shutil.copy(real_samples / "open_meteo_archive_adelaide_2025-01-10_12.json", path)
    table = open_meteo.parse_response(path, [POINT])
    assert table.num_rows == 72
    assert table.column("location_id").to_pylist() == ["test_point"] * 72
    assert table.column("time")[0].as_py() == "2025-01-10T00:00"
    # This capture asked for other variables: ours are absent, hence null, not an error.
    assert table.column("wind_speed_100m").null_count == 72
    assert table.column("temperature_2m").null_count == 0


def test_open_meteo_arrays_of_different_lengths_are_refused(landing):
    body = {
        "latitude": 1.0,
        "longitude": 2.0,
        "hourly": {"time": ["2025-01-01T00:00", "2025-01-01T01:00"], "temperature_2m": [1.0]},
    }
    path = landing / "bad.json"
    path.write_text(json.dumps(body))
    with pytest.raises(SourceError, match="temperature_2m"):
        open_meteo.parse_response(path, [POINT])


def test_open_meteo_truncated_json_is_refused():
    with pytest.raises(SourceError):
        open_meteo.validate_json(b'[{"latitude": 1.0, "hourly": {"time": ["2025-01')
