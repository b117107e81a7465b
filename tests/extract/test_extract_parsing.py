"""Fetch, parse and chunk logic of the two sources, without network nor database."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil

import pytest

from extract.landing import SourceError
from extract.periods import month_chunks
from extract.sources import open_meteo
from extract.sources.eco2mix import fetch, load, parse

POINT = {"point_id": "test_point", "latitude": "-34.9", "longitude": "138.6"}


def test_month_chunks_cover_the_period_without_overlap():
    chunks = list(month_chunks(dt.date(2024, 10, 15), dt.date(2025, 1, 2)))
    assert chunks == [
        (dt.date(2024, 10, 15), dt.date(2024, 11, 1)),
        (dt.date(2024, 11, 1), dt.date(2024, 12, 1)),
        (dt.date(2024, 12, 1), dt.date(2025, 1, 1)),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 2)),
    ]


def test_export_params_bound_paris_days_with_their_offsets():
    # October 2024 starts in summer time (+02:00) and ends in winter time (+01:00)
    params = fetch.export_params(dt.date(2024, 10, 1), dt.date(2024, 11, 1))
    assert params["where"] == (
        "date_heure >= '2024-10-01T00:00:00+02:00' and date_heure < '2024-11-01T00:00:00+01:00'"
    )
    assert params["timezone"] == "UTC" and params["use_labels"] == "false"


def test_month_chunks_stay_contiguous_across_clock_changes():
    chunks = list(month_chunks(dt.date(2024, 2, 1), dt.date(2024, 5, 1)))
    bounds = [fetch.export_params(first, end)["where"] for first, end in chunks]
    # each month's upper bound is the next month's lower bound, to the second and offset
    for this, following in itertools.pairwise(bounds):
        assert this.split("< ")[1] == following.split(">= ")[1].split(" and")[0]
    assert "'2024-04-01T00:00:00+02:00'" in bounds[2] and "'2024-03-01T00:00:00+01:00'" in bounds[1]


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
        parse.validate_csv(body)


EXPORT_HEADER = b"code_insee_region;libelle_region;date_heure;consommation;nucleaire;column_8\n"
DECEMBER_2021 = ("2021-12-01T00:00:00+01:00", "2022-01-01T00:00:00+01:00")


def test_validate_csv_tells_a_header_only_answer_apart():
    with pytest.raises(parse.EmptyAnswer, match="a header and no row"):
        parse.validate_csv(EXPORT_HEADER, "éCO2mix x 2021-12", DECEMBER_2021)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            b"11;Ile;2021-12-01T00:00:00+01:00;7001,5;;\n",
            "'7001,5' in the numeric column `consommation`",
        ),
        (b"11;Ile;2021-12-01T00:00:00+01:00;n/a;;\n", "'n/a' in the numeric column `consommation`"),
        (b"11;Ile;2021-11-30T22:30:00+00:00;7001;;\n", "outside the period asked"),
        (b"11;Ile;2022-01-01T00:00:00+01:00;7001;;\n", "outside the period asked"),
    ],
    ids=["decimal-comma", "text", "before-the-first-paris-hour", "at-the-end-bound"],
)
def test_validate_csv_refuses_an_answer_that_cannot_be_right(row, message):
    body = EXPORT_HEADER + b"11;Ile;2021-12-01T00:00:00+01:00;7001;ND;\n" + row
    with pytest.raises(SourceError, match=message):
        parse.validate_csv(body, "éCO2mix x 2021-12", DECEMBER_2021)


def test_validate_csv_takes_markers_signs_decimals_and_the_first_paris_hour():
    body = EXPORT_HEADER + (
        b"11;Ile;2021-11-30T23:00:00+00:00;7001;-;\n"  # 00:00 Paris, spelt in UTC
        b"11;Ile;2021-12-31T23:30:00+01:00;-42.5;ND;\n"
    )
    assert parse.validate_csv(body, "éCO2mix x 2021-12", DECEMBER_2021) == 2


@pytest.mark.parametrize(
    ("name", "window"),
    [
        ("eco2mix-national-tr_2021-12.csv", DECEMBER_2021),
        (
            "eco2mix-regional-tr_PACA_2020-05.csv",
            ("2020-05-01T00:00:00+02:00", "2020-06-06T00:00:00+02:00"),
        ),
    ],
)
def test_real_captures_pass_the_answer_checks(real_samples, name, window):
    body = (real_samples / name).read_bytes()
    rows = body.count(b"\n") - 1
    assert parse.validate_csv(body, name, window) == rows


def test_read_export_keeps_values_as_published(landing):
    path = landing / "csv" / "sample.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        "\ufeffcode_insee_region;date_heure;consommation;nucleaire\r\n"
        "11;2024-10-27T00:00:00+00:00;7001;\r\n"
        "11;2024-10-27T01:00:00+00:00;ND;-\r\n".encode()
    )
    table = load.read_export(path)
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
    table = load.read_export(path)
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
    assert parse.technical_name(label) == technical


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
