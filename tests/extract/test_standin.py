"""The stand-in must behave like the real services and carry the planted relation.

Formats are checked against the real captures in ../shared/real-samples (skipped when that
folder is absent); the data model is checked by recovering the planted slope by regression.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pytest

from tests.helpers import PROJECT_DIR, REAL_SAMPLES
from tools.standin import generator
from tools.standin.server import StandinServer, start_standin

ROOT = PROJECT_DIR
SAMPLES = REAL_SAMPLES
TODAY = date(2025, 6, 15)
REGIONAL = "eco2mix-regional-cons-def"
NATIONAL = "eco2mix-national-cons-def"
EXPORT = "/api/explore/v2.1/catalog/datasets/{}/exports/csv"


@pytest.fixture(scope="module")
def standin() -> Iterator[tuple[StandinServer, str]]:
    server, base_url = start_standin(today=TODAY)
    yield server, base_url
    server.stop()


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def export(base_url: str, dataset: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    return fetch(base_url + EXPORT.format(dataset) + "?" + urlencode(params))


def rows_of(body: bytes, delimiter: str = ";") -> list[dict[str, str]]:
    text = body.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def sample_header(name: str) -> list[str]:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle, delimiter=";"))


# -- generator --------------------------------------------------------------------------------


def test_values_do_not_depend_on_the_requested_range() -> None:
    short = generator.eco2mix_frame(REGIONAL, "2024-10-26T20:00Z", "2024-10-27T04:00Z")
    long = generator.eco2mix_frame(REGIONAL, "2024-09-20", "2024-11-10")
    short_csv = generator.format_export_rows(short, REGIONAL).splitlines()
    long_csv = set(generator.format_export_rows(long, REGIONAL).splitlines())
    assert len(short_csv) == 16 * 12
    assert set(short_csv) <= long_csv

    narrow = generator.weather(48.85, 2.35, "2024-01-10T05:00", "2024-01-11").hourly
    wide = generator.weather(48.8566, 2.3522, "2023-12-01", "2024-02-01").hourly
    merged = narrow.merge(wide, on="time", suffixes=("_n", "_w"))
    assert len(merged) == len(narrow) == 19
    for name in generator.WEATHER_VARIABLES:
        assert (merged[f"{name}_n"] == merged[f"{name}_w"]).all(), name


def test_weather_is_plausible_and_snapped_to_the_grid() -> None:
    grid = generator.weather(48.8566, 2.3522, "2015-01-01", "2025-01-01")
    assert (grid.latitude, grid.longitude) == (48.75, 2.25)
    hourly = grid.hourly.set_index("time")
    assert len(hourly) == 87_672 and np.isfinite(hourly.to_numpy()).all()
    monthly = hourly["temperature_2m"].groupby(hourly.index.month).mean()
    assert monthly.idxmin() in (12, 1, 2) and monthly.idxmax() in (6, 7, 8)
    assert monthly[7] - monthly[1] > 12
    assert hourly["temperature_2m"].min() > -20 and hourly["temperature_2m"].max() < 42
    night = hourly.index.hour.isin([0, 1, 2, 23])
    assert (hourly.loc[night, "shortwave_radiation"] == 0).all()
    assert hourly["shortwave_radiation"].max() > 600
    assert hourly["cloud_cover"].between(0, 100).all()
    assert hourly["precipitation"].min() >= 0
    assert hourly["wind_speed_100m"].quantile(0.05) > 4
    assert hourly["wind_speed_100m"].quantile(0.95) < 65
    south = generator.weather(43.2965, 5.3698, "2023-01-01", "2024-01-01").hourly
    assert south["temperature_2m"].mean() > hourly["temperature_2m"].mean() + 2


def test_balance_holds_and_nuclear_free_regions_are_empty() -> None:
    frame = generator.eco2mix_frame(REGIONAL, "2024-03-01", "2024-03-03")
    numbers = frame.iloc[:, 7:19].astype("Float64").fillna(0)
    production = numbers[
        ["thermique", "nucleaire", "eolien", "solaire", "hydraulique", "bioenergies"]
    ].sum(axis=1)
    balance = (
        production
        + numbers["pompage"]
        + numbers["stockage_batterie"]
        + numbers["destockage_batterie"]
        + numbers["ech_physiques"]
    )
    assert (balance == frame["consommation"]).all()
    no_nuclear = frame["code_insee_region"].isin(["11", "27", "52", "53", "93"])
    assert frame.loc[no_nuclear, "nucleaire"].isna().all()
    assert frame.loc[~no_nuclear, "nucleaire"].notna().all()

    national = generator.eco2mix_frame(NATIONAL, "2024-03-01", "2024-03-03")
    full = national[national["consommation"].notna()]
    by_instant = frame.groupby("epoch")["consommation"].sum()
    assert (full.set_index("epoch")["consommation"] == by_instant.loc[full["epoch"]]).all()
    quarter = national[national["heure"].str.endswith(("15", "45"))]
    assert len(quarter) == len(full) and quarter["consommation"].isna().all()
    assert quarter["prevision_j1"].notna().all() and quarter["prevision_j"].notna().all()
    assert full["taux_co2"].between(0, 200).all()


def _tday_from_served_weather(first: str, last: str) -> pd.DataFrame:
    """Tday per region, recomputed from `weather()` like a downstream model would."""
    points = pd.read_csv(ROOT / "dbt_project/seeds/weather_points.csv", dtype={"region_code": str})
    start = generator.paris_midnight(first)
    end = generator.paris_midnight(pd.Timestamp(last) + pd.Timedelta(days=1))
    columns = {}
    for point in points.itertuples():
        hourly = generator.weather(point.latitude, point.longitude, start, end).hourly
        local_day = hourly["time"].dt.tz_convert("Europe/Paris").dt.strftime("%Y-%m-%d")
        daily = hourly.groupby(local_day)["temperature_2m"].mean() * point.population_weight
        columns[point.region_code] = columns.get(point.region_code, 0) + daily
    return pd.DataFrame(columns)


def test_planted_slope_is_recovered_by_regression() -> None:
    first, last = "2024-10-01", "2025-03-31"
    tday = _tday_from_served_weather(first, last)
    frame = generator.eco2mix_frame(
        REGIONAL,
        generator.paris_midnight(first),
        generator.paris_midnight(pd.Timestamp(last) + pd.Timedelta(days=1)),
    )
    daily = frame.groupby(["date", "code_insee_region"])["consommation"].mean().unstack()
    daily = daily.astype(float).loc[tday.index]
    assert len(daily) == 182

    def slope(x: pd.Series, y: pd.Series) -> float:
        design = np.column_stack([np.ones(len(x)), x.to_numpy()])
        return float(np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0][1])

    region = "11"
    heating = tday[region] < 15
    recovered = -slope(tday.loc[heating, region], daily.loc[heating, region])
    assert recovered == pytest.approx(generator.PLANTED_SLOPE_MW_PER_C[region], rel=0.05)

    shares = pd.read_csv(ROOT / "dbt_project/seeds/regions.csv", dtype={"region_code": str})
    weights = shares.set_index("region_code")["population"] / shares["population"].sum()
    france_tday = tday[weights.index] @ weights
    all_heating = tday.max(axis=1) < 15  # below 15 °C everywhere: France is exactly linear
    recovered = -slope(france_tday[all_heating], daily.sum(axis=1)[all_heating])
    assert recovered == pytest.approx(2400.0, rel=0.05)
    assert pytest.approx(2400.0) == generator.NATIONAL_SLOPE_MW_PER_C
    winter = daily.sum(axis=1).mean()
    assert 50_000 < winter < 56_000


def test_write_dataset_makes_a_readable_export(tmp_path: Path) -> None:
    path = tmp_path / "regional.csv"
    rows = generator.write_dataset(REGIONAL, path, "2024-01-31T22:00Z", "2024-02-01T02:00Z")
    assert rows == 8 * 12
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    assert list(frame.columns) == generator.export_columns(REGIONAL)
    assert frame["date_heure"].iloc[0] == "2024-01-31T22:00:00+00:00"
    assert frame.loc[frame["code_insee_region"] == "53", "nucleaire"].eq("").all()


# -- ODRÉ exports -----------------------------------------------------------------------------


def test_where_bounds_and_order_by(standin: tuple[StandinServer, str]) -> None:
    _, base_url = standin
    where = "date_heure >= '2024-03-01T10:00:00Z' and date_heure < '2024-03-01T12:00:00Z'"
    status, headers, body = export(base_url, REGIONAL, where=where, order_by="date_heure")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = rows_of(body)
    stamps = [row["date_heure"] for row in rows]
    assert len(rows) == 4 * 12 and stamps == sorted(stamps)
    assert stamps[0] == "2024-03-01T10:00:00+00:00" and stamps[-1] == "2024-03-01T11:30:00+00:00"

    where = "date_heure > '2024-03-01T10:00:00Z' and date_heure <= '2024-03-01T12:00:00Z'"
    stamps = [r["date_heure"] for r in rows_of(export(base_url, REGIONAL, where=where)[2])]
    assert min(stamps) == "2024-03-01T10:30:00+00:00"
    assert max(stamps) == "2024-03-01T12:00:00+00:00"
    assert stamps != sorted(stamps)  # unsorted without order_by, like the real service
    assert export(base_url, REGIONAL, where=where)[2] == export(base_url, REGIONAL, where=where)[2]

    where = "date_heure >= '2024-03-01' and date_heure < '2024-03-02' and code_insee_region = '53'"
    rows = rows_of(export(base_url, REGIONAL, where=where, timezone="Europe/Paris")[2])
    assert {row["libelle_region"] for row in rows} == {"Bretagne"} and len(rows) == 48
    assert min(row["date_heure"] for row in rows) == "2024-03-01T00:00:00+01:00"
    desc = rows_of(export(base_url, REGIONAL, where=where, order_by="date_heure desc")[2])
    assert [r["date_heure"] for r in desc] == sorted((r["date_heure"] for r in desc), reverse=True)


def test_bom_and_delimiter(standin: tuple[StandinServer, str]) -> None:
    _, base_url = standin
    where = "date_heure >= '2024-03-01' and date_heure < '2024-03-01T01:00:00'"
    default = export(base_url, NATIONAL, where=where)[2]
    without = export(base_url, NATIONAL, where=where, with_bom="false")[2]
    assert default.startswith(b"\xef\xbb\xbfperimetre;nature;")
    assert without.startswith(b"perimetre;nature;")
    comma = export(base_url, NATIONAL, where=where, with_bom="false", delimiter=",")[2]
    assert comma.startswith(b"perimetre,nature,") and len(rows_of(comma, ",")) == 4


def test_labelled_headers_match_the_real_captures(standin: tuple[StandinServer, str]) -> None:
    _, base_url = standin
    real = sample_header("eco2mix-national-tr_2021-12.csv")
    where = "date_heure >= '2025-06-01' and date_heure < '2025-06-01T00:30:00'"
    labelled = rows_of(export(base_url, "eco2mix-national-tr", where=where, use_labels="true")[2])
    ours = list(labelled[0])
    assert ours[: len(real)] == real
    assert labelled[0]["Nature"] == "Données temps réel"

    real_regional = sample_header("eco2mix-regional-tr_PACA_2020-05.csv")
    header = generator.export_columns(REGIONAL, use_labels=True)
    assert header[:15] == real_regional[:15]
    rates = [name for name in header if name.startswith(("TCO", "TCH"))]
    assert rates == [name for name in real_regional if name.startswith(("TCO", "TCH"))]
    national_def = generator.export_columns(NATIONAL, use_labels=True)
    assert national_def[4] == "Date et Heure" and national_def[:4] == real[:4]


def test_utc_and_paris_offsets_at_the_autumn_clock_change(
    standin: tuple[StandinServer, str],
) -> None:
    _, base_url = standin
    where = (
        "date_heure >= '2024-10-26T23:00:00Z' and date_heure < '2024-10-27T03:00:00Z' "
        "and code_insee_region = '11'"
    )
    utc = rows_of(export(base_url, REGIONAL, where=where, order_by="date_heure")[2])
    paris = rows_of(
        export(base_url, REGIONAL, where=where, order_by="date_heure", timezone="Europe/Paris")[2]
    )
    assert [r["heure"] for r in utc] == ["01:00", "01:30", "02:00", "02:30", "02:00", "02:30",
                                         "03:00", "03:30"]  # fmt: skip
    assert {r["date"] for r in utc} == {"2024-10-27"}
    assert [r["date_heure"][-6:] for r in utc] == ["+00:00"] * 8
    assert [r["date_heure"] for r in paris][2:5] == [
        "2024-10-27T02:00:00+02:00",
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T02:00:00+01:00",
    ]
    assert [r["consommation"] for r in utc] == [r["consommation"] for r in paris]


def test_availability_windows(standin: tuple[StandinServer, str]) -> None:
    _, base_url = standin
    before = export(
        base_url, REGIONAL, where="date_heure < '2012-12-31T23:00:00Z'", with_bom="false"
    )
    assert before[0] == 200 and before[2].decode().count("\r\n") == 1  # header only
    first = rows_of(export(base_url, REGIONAL, where="date_heure < '2013-01-01T01:00:00+01:00'")[2])
    assert {row["date"] for row in first} == {"2013-01-01"} and len(first) == 24
    recent = rows_of(export(base_url, NATIONAL, where="date_heure >= '2025-05-01'")[2])
    last_day = str(TODAY - timedelta(days=36))
    assert max(row["date"] for row in recent) == last_day
    assert {row["nature"] for row in recent} == {"Données consolidées"}
    real_time = rows_of(
        export(
            base_url,
            "eco2mix-regional-tr",
            where="date_heure >= '2025-06-14'",
            timezone="Europe/Paris",
        )[2]
    )
    assert len(real_time) == 96 * 12 and {r["nature"] for r in real_time} == {"Données temps réel"}
    old = rows_of(export(base_url, "eco2mix-regional-tr", where="date_heure < '2025-01-01'")[2])
    assert old == []


def test_export_errors(standin: tuple[StandinServer, str]) -> None:
    _, base_url = standin
    status, headers, body = export(base_url, REGIONAL, where="date_heure >> '2024'")
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    error = json.loads(body)
    assert error["error_code"] == "ODSQLError" and "malformed" in error["message"]
    assert export(base_url, REGIONAL, where="consommation > 5000")[0] == 400
    assert export(base_url, NATIONAL, where="code_insee_region = '53'")[0] == 400
    status, _, body = export(base_url, "eco2mix-nope")
    assert status == 404 and set(json.loads(body)) == {"error_code", "message"}


# -- Open-Meteo -------------------------------------------------------------------------------


def meteo(base_url: str, endpoint: str, **params: str) -> tuple[int, object]:
    status, _, body = fetch(f"{base_url}/v1/{endpoint}?{urlencode(params)}")
    return status, json.loads(body)


def test_open_meteo_shapes_match_the_real_api(standin: tuple[StandinServer, str]) -> None:
    _, base_url = standin
    hourly = ",".join(generator.WEATHER_VARIABLES)
    dates = {"start_date": "2025-01-10", "end_date": "2025-01-12", "timezone": "UTC"}
    status, single = meteo(base_url, "archive", latitude="48.85", longitude="2.35",
                           hourly=hourly, **dates)  # fmt: skip
    assert status == 200 and isinstance(single, dict)
    sample = SAMPLES / "open_meteo_archive_adelaide_2025-01-10_12.json"
    if sample.exists():
        assert list(single) == list(json.loads(sample.read_text(encoding="utf-8")))
    assert (single["latitude"], single["longitude"]) == (48.75, 2.25)
    assert single["hourly_units"] == {"time": "iso8601", **generator.OPEN_METEO_UNITS}
    times = single["hourly"]["time"]
    assert len(times) == 72 and times[0] == "2025-01-10T00:00" and times[-1] == "2025-01-12T23:00"
    assert all(len(single["hourly"][name]) == 72 for name in generator.WEATHER_VARIABLES)

    status, several = meteo(base_url, "archive", latitude="43.3,48.85", longitude="5.37,2.35",
                            hourly=hourly, **dates)  # fmt: skip
    assert status == 200 and isinstance(several, list) and len(several) == 2
    assert several[1]["hourly"] == single["hourly"] and several[0]["latitude"] == 43.25

    status, recent = meteo(base_url, "archive", latitude="48.85", longitude="2.35",
                           hourly="temperature_2m", start_date="2025-06-08",
                           end_date="2025-06-12")  # fmt: skip
    values = recent["hourly"]["temperature_2m"]
    assert values[: 3 * 24] == [v for v in values[: 3 * 24] if v is not None]
    assert values[3 * 24 :] == [None] * 48  # the archive ends today minus 5 days

    status, forecast = meteo(base_url, "forecast", latitude="48.85", longitude="2.35",
                             hourly="temperature_2m", past_days="2", forecast_days="3")  # fmt: skip
    assert forecast["hourly"]["time"][0] == "2025-06-13T00:00"
    assert len(forecast["hourly"]["time"]) == 5 * 24
    assert None not in forecast["hourly"]["temperature_2m"]
    status, knots = meteo(base_url, "forecast", latitude="48.85", longitude="2.35",
                          hourly="wind_speed_100m", wind_speed_unit="kn")  # fmt: skip
    assert knots["hourly_units"]["wind_speed_100m"] == "kn"


@pytest.mark.parametrize(
    ("endpoint", "params", "reason"),
    [
        ("archive", {"hourly": "temperature_2m,nope_2m"}, "invalid String value nope_2m"),
        ("archive", {"start_date": "2025-01-12", "end_date": "2025-01-10"}, "End-date must be"),
        ("archive", {"latitude": "48.85,45.7"}, "must have the same number of elements"),
        ("archive", {"start_date": "2025-1-10"}, "Invalid date format"),
        ("archive", {"start_date": "2025-02-30"}, "Invalid date"),
        ("archive", {"timezone": "Europe/Paris"}, "UTC"),
        ("forecast", {"past_days": "93"}, "Past days is invalid"),
    ],
)
def test_open_meteo_errors(
    standin: tuple[StandinServer, str], endpoint: str, params: dict[str, str], reason: str
) -> None:
    _, base_url = standin
    query = {"latitude": "48.85", "longitude": "2.35", "hourly": "temperature_2m"}
    if endpoint == "archive":
        query |= {"start_date": "2025-01-10", "end_date": "2025-01-11", "timezone": "UTC"}
    status, body = meteo(base_url, endpoint, **(query | params))
    assert status == 400
    assert set(body) == {"error", "reason"} and body["error"] is True
    assert reason in body["reason"]


# -- fault injection and CLI -----------------------------------------------------------------


def test_fault_injection_is_seeded_and_logged() -> None:
    def run(seed: int) -> tuple[list[int], StandinServer, dict[str, str]]:
        server, base_url = start_standin(today=TODAY, fail_rate=0.5, seed=seed)
        statuses, retry = [], {}
        try:
            for _ in range(30):
                status, headers, _ = fetch(f"{base_url}/v1/forecast?latitude=1&longitude=2")
                statuses.append(status)
                if status == 429:
                    retry = headers
        finally:
            server.stop()
        return statuses, server, retry

    statuses, server, retry = run(seed=7)
    assert set(statuses) == {200, 429, 503}
    assert retry["Retry-After"] == "1"
    assert len(server.request_log) == 30
    assert all(path.startswith("/v1/forecast?") for path in server.request_log)
    assert run(seed=7)[0] == statuses
    assert run(seed=8)[0] != statuses


def test_cli_serves_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.standin", "--port", "0", "--today", "2025-06-15"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        base_url = line.split(" on ")[1].split()[0]
        status, _, body = fetch(base_url + "/")
        assert status == 200 and json.loads(body)["today"] == "2025-06-15"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


# -- bad answers with status 200, limits (tools/standin/faults.py) ---------------------------

MONTH_WHERE = (
    "date_heure >= '2024-11-01T00:00:00+01:00' and date_heure < '2024-12-01T00:00:00+01:00'"
)
HOUR_WHERE = "date_heure >= '2024-11-05T10:00:00Z' and date_heure < '2024-11-05T11:00:00Z'"


def test_header_only_fault_answers_the_header_and_no_row() -> None:
    server, base_url = start_standin(today=TODAY, export_faults=["header-only"])
    try:
        status, _, body = export(base_url, REGIONAL, where=HOUR_WHERE, with_bom="false")
        assert status == 200
        assert body.decode() == ";".join(generator.export_columns(REGIONAL)) + "\r\n"
        assert len(rows_of(export(base_url, REGIONAL, where=HOUR_WHERE)[2])) == 2 * 12
    finally:
        server.stop()


def test_empty_months_are_header_only_on_every_run() -> None:
    months = ["2024-11", "eco2mix-national-cons-def:2024-12"]
    server, base_url = start_standin(today=TODAY, empty_months=months)
    try:
        for _ in range(2):
            status, _, body = export(base_url, REGIONAL, where=MONTH_WHERE, with_bom="false")
            assert status == 200 and body.count(b"\r\n") == 1
        assert rows_of(export(base_url, NATIONAL, where=MONTH_WHERE)[2]) == []
        december = "date_heure >= '2024-12-01T00:00:00+01:00' and date_heure < '2024-12-02'"
        assert rows_of(export(base_url, NATIONAL, where=december)[2]) == []
        assert len(rows_of(export(base_url, REGIONAL, where=december)[2])) > 0
        # a window across the border keeps the rows of the month that has some
        across = "date_heure >= '2024-11-30T22:00:00Z' and date_heure < '2024-12-01T00:00:00Z'"
        rows = rows_of(export(base_url, REGIONAL, where=across, timezone="Europe/Paris")[2])
        assert {row["date"] for row in rows} == {"2024-12-01"}
    finally:
        server.stop()
    with pytest.raises(ValueError, match="YYYY-MM"):
        StandinServer(("127.0.0.1", 0), today=TODAY, empty_months=["2024-13"])


def test_decimal_comma_and_text_number_faults() -> None:
    server, base_url = start_standin(today=TODAY, export_faults=["decimal-comma", "text-number"])
    try:
        comma = rows_of(export(base_url, REGIONAL, where=HOUR_WHERE, order_by="date_heure")[2])
        text = rows_of(export(base_url, REGIONAL, where=HOUR_WHERE, order_by="date_heure")[2])
        clean = rows_of(export(base_url, REGIONAL, where=HOUR_WHERE, order_by="date_heure")[2])
    finally:
        server.stop()
    assert len(comma) == len(clean) == 24 and list(comma[0]) == list(clean[0])
    for spoiled, row in zip(comma, clean, strict=True):
        assert spoiled["consommation"] == row["consommation"] + ",0"
        assert spoiled["tco_thermique"] == row["tco_thermique"].replace(".", ",")
        assert spoiled["date_heure"] == row["date_heure"]
    assert text[0]["consommation"] == "n/a"
    assert [r["consommation"] for r in text[1:]] == [r["consommation"] for r in clean[1:]]


def test_an_unknown_export_fault_is_an_error_of_the_stand_in() -> None:
    server, base_url = start_standin(today=TODAY)
    server.export_faults.append("no-such-fault")
    try:
        status, _, body = export(base_url, REGIONAL, where=HOUR_WHERE)
    finally:
        server.stop()
    assert status == 500 and "no-such-fault" in json.loads(body)["message"]
    with pytest.raises(ValueError, match="unknown fault"):
        StandinServer(("127.0.0.1", 0), today=TODAY, export_faults=["nope"])


METEO_QUERY = {"latitude": "48.85,45.76", "longitude": "2.35,4.84", "timezone": "UTC",
               "hourly": "temperature_2m,wind_speed_100m",
               "start_date": "2025-01-10", "end_date": "2025-01-11"}  # fmt: skip


def meteo_raw(base_url: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    return fetch(f"{base_url}/v1/archive?{urlencode(params)}")


def strict_json(body: bytes) -> object:
    """JSON as RFC 8259 has it: NaN and Infinity are not numbers (Python accepts them)."""

    def refuse(token: str) -> object:
        raise ValueError(f"bare {token}")

    return json.loads(body, parse_constant=refuse)


def test_meteo_bad_200_faults() -> None:
    script = ["nan", "infinity", "empty-hourly", "ragged", "outside-window", "ok"]
    server, base_url = start_standin(today=TODAY, meteo_faults=script)
    try:
        answers = [meteo_raw(base_url, **METEO_QUERY) for _ in script]
    finally:
        server.stop()
    assert [status for status, _, _ in answers] == [200] * 6
    nan, infinity, empty, ragged, outside, clean = (body for _, _, body in answers)
    for body, token in ((nan, "bare NaN"), (infinity, "bare Infinity")):
        assert token.split()[1].encode() in body
        with pytest.raises(ValueError, match=token):
            strict_json(body)
    good = strict_json(clean)
    assert isinstance(good, list) and len(good[0]["hourly"]["time"]) == 48
    assert all(values == [] for doc in strict_json(empty) for values in doc["hourly"].values())
    for doc, ok in zip(strict_json(ragged), good, strict=True):
        assert len(doc["hourly"]["temperature_2m"]) == len(doc["hourly"]["time"]) - 1 == 47
        assert doc["hourly"]["wind_speed_100m"] == ok["hourly"]["wind_speed_100m"]
    for doc in strict_json(outside):
        assert doc["hourly"]["time"][0] == "2025-01-12T00:00"
        assert doc["hourly"]["time"][-1] == "2025-01-13T23:00"


def test_meteo_limit_answers_have_no_retry_after() -> None:
    script = ["429-minutely", "429-hourly", "429-daily", "429"]
    server, base_url = start_standin(today=TODAY, meteo_faults=script, retry_after_s=3)
    try:
        answers = [meteo_raw(base_url, **METEO_QUERY) for _ in script]
    finally:
        server.stop()
    reasons = [json.loads(body)["reason"] for _, _, body in answers]
    assert [status for status, _, _ in answers] == [429] * 4
    assert reasons == [
        "Minutely API request limit exceeded. Please try again in one minute.",
        "Hourly API request limit exceeded. Please try again in the next hour.",
        "Daily API request limit exceeded. Please try again tomorrow.",
        "Minutely API request limit exceeded. Please try again in one minute.",
    ]
    assert ["Retry-After" in headers for _, headers, _ in answers] == [False] * 3 + [True]
    assert answers[3][1]["Retry-After"] == "3"
    assert all(set(json.loads(body)) == {"error", "reason"} for _, _, body in answers)


def test_minute_limit_counts_weighted_calls_in_a_rolling_minute() -> None:
    server, base_url = start_standin(today=TODAY, minute_limit=5)
    server.minute_window_s = 1.5  # a short "minute", so the test does not wait a real one
    four_weeks = {**METEO_QUERY, "start_date": "2025-01-01", "end_date": "2025-01-28"}
    try:
        first = meteo_raw(base_url, **four_weeks)  # 2 locations x 28 days: 2 x 2 = 4 calls
        second = meteo_raw(base_url, **METEO_QUERY)  # 2 calls: 6 >= 5 after it
        refused = meteo_raw(base_url, **METEO_QUERY)
        time.sleep(1.6)
        again = meteo_raw(base_url, **METEO_QUERY)
    finally:
        server.stop()
    assert (first[0], second[0], refused[0], again[0]) == (200, 200, 429, 200)
    assert json.loads(refused[2])["reason"].startswith("Minutely API request limit exceeded")
    assert "Retry-After" not in refused[1]
    assert server.meteo_cost == 4 + 2 + 2


def test_cli_exposes_the_fault_and_limit_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.standin", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    for option in ("--export-faults", "--empty-months", "--minute-limit", "--meteo-faults"):
        assert option in result.stdout
    assert "header-only" in result.stdout and "429-hourly" in result.stdout


# -- explicit offsets in where bounds ---------------------------------------------------------


def test_where_bounds_with_an_offset_are_instants_whatever_the_timezone(
    standin: tuple[StandinServer, str],
) -> None:
    _, base_url = standin
    bounds = "date_heure >= '{}' and date_heure < '{}' and code_insee_region = '53'"
    offset = bounds.format("2021-12-01T00:00:00+01:00", "2021-12-01T02:00:00+01:00")
    utc = rows_of(export(base_url, REGIONAL, where=offset, order_by="date_heure")[2])
    paris = rows_of(
        export(base_url, REGIONAL, where=offset, order_by="date_heure", timezone="Europe/Paris")[2]
    )
    assert len(utc) == len(paris) == 4
    assert utc[0]["date_heure"] == "2021-11-30T23:00:00+00:00"
    assert paris[0]["date_heure"] == "2021-12-01T00:00:00+01:00"
    assert [r["consommation"] for r in utc] == [r["consommation"] for r in paris]

    naive = bounds.format("2021-12-01T00:00:00", "2021-12-01T02:00:00")
    utc = rows_of(export(base_url, REGIONAL, where=naive, order_by="date_heure")[2])
    paris = rows_of(
        export(base_url, REGIONAL, where=naive, order_by="date_heure", timezone="Europe/Paris")[2]
    )
    assert utc[0]["date_heure"] == "2021-12-01T00:00:00+00:00"  # read in the request timezone
    assert paris[0]["date_heure"] == "2021-12-01T00:00:00+01:00"
    assert utc[0]["consommation"] != paris[0]["consommation"]


# -- eras (tools/standin/eras.py) -----------------------------------------------------------

PACA_2020 = "eco2mix-regional-tr_PACA_2020-05.csv"
NATIONAL_2021 = "eco2mix-national-tr_2021-12.csv"
MAY_2020 = "date_heure >= '2020-05-01T00:00:00+02:00' and date_heure < '2020-05-02T00:00:00+02:00'"
DEC_2021 = "date_heure >= '2021-12-01T00:00:00+01:00' and date_heure < '2021-12-02T00:00:00+01:00'"


@pytest.fixture(scope="module")
def eras_standin() -> Iterator[tuple[StandinServer, str]]:
    server, base_url = start_standin(today=TODAY, eras=True, real_time_days=6000)
    yield server, base_url
    server.stop()


def labelled(base_url: str, dataset: str, where: str, **params: str) -> list[dict[str, str]]:
    return rows_of(export(base_url, dataset, where=where, use_labels="true", **params)[2])


def sample_rows(name: str) -> list[dict[str, str]]:
    sample_header(name)  # skips when the capture is absent
    return rows_of((SAMPLES / name).read_bytes())


def test_era_headers_equal_the_real_captures(eras_standin: tuple[StandinServer, str]) -> None:
    _, base_url = eras_standin
    regional = labelled(base_url, "eco2mix-regional-tr", MAY_2020, refine='code_insee_region:"93"')
    assert list(regional[0]) == sample_header(PACA_2020)
    assert len(regional[0]) == 66 and list(regional[0])[-1] == "Column 64"
    assert list(labelled(base_url, REGIONAL, MAY_2020)[0]) == sample_header(PACA_2020)
    national = labelled(base_url, "eco2mix-national-tr", DEC_2021)
    assert list(national[0]) == sample_header(NATIONAL_2021) and len(national[0]) == 37
    national_def = list(labelled(base_url, NATIONAL, DEC_2021)[0])
    assert national_def[4] == "Date et Heure" and len(national_def) == 37
    body = export(base_url, REGIONAL, where=MAY_2020, with_bom="false")[2]
    names = body.decode().splitlines()[0].split(";")
    assert "import_grand_est" in names and names[-1] == "column_64"  # use_labels=false


def test_era_markers_are_where_the_real_capture_has_them(
    eras_standin: tuple[StandinServer, str],
) -> None:
    _, base_url = eras_standin
    real = sample_rows(PACA_2020)
    ours = labelled(base_url, "eco2mix-regional-tr", MAY_2020, refine='code_insee_region:"93"')
    assert len(ours) == 96
    for name in real[0]:
        values = {row[name] for row in real}
        if "-" in values:
            assert {row[name] for row in ours} == {"-"}, name
        if "ND" in values:
            assert {row[name] for row in ours} == {"ND"}, name
    assert {row["Column 64"] for row in ours} == {""} == {row["Column 64"] for row in real}
    assert {row["Nucléaire (MW)"] for row in ours} == {""}  # no nuclear plant in PACA
    assert all(row["Consommation (MW)"].isdigit() for row in ours)


def test_the_2013_2019_regional_era(eras_standin: tuple[StandinServer, str]) -> None:
    _, base_url = eras_standin
    where = "date_heure >= '2016-05-01T00:00:00+02:00' and date_heure < '2016-05-01T01:00:00+02:00'"
    body = export(base_url, REGIONAL, where=where, with_bom="false", use_labels="true")[2]
    lines = body.decode().splitlines()
    assert lines[0].startswith(";".join(generator.export_columns(REGIONAL, True)[:15]) + ";TCO")
    assert all(line.endswith(";") for line in lines)  # the trailing unnamed column
    assert "Stockage batterie" not in lines[0] and "Import Grand-Est" not in lines[0]
    rows = rows_of(body)
    assert len(rows) == 2 * 12
    brittany = [row for row in rows if row["Code INSEE région"] == "53"]
    assert {row["Nucléaire (MW)"] for row in brittany} == {"ND"}
    assert all(value != "" for row in rows for name, value in row.items() if name)


def test_a_request_across_two_eras_has_the_newest_rows_header(
    eras_standin: tuple[StandinServer, str],
) -> None:
    _, base_url = eras_standin
    where = "date_heure >= '2019-12-31T23:00:00+01:00' and date_heure < '2020-01-01T01:00:00+01:00'"
    rows = labelled(base_url, REGIONAL, where, order_by="date_heure")
    assert len(rows) == 4 * 12 and len(rows[0]) == 66
    assert {row["Date"] for row in rows} == {"2019-12-31", "2020-01-01"}
    assert {row["Import Grand-Est"] for row in rows if row["Date"] == "2019-12-31"} <= {"-", "ND"}
    before = (
        "date_heure < '2020-01-01T00:00:00+01:00' and date_heure >= '2019-12-31T23:00:00+01:00'"
    )
    assert len(labelled(base_url, REGIONAL, before)[0]) == 15 + 12 + 1


def test_today_era_and_the_default_serve_todays_schema(
    standin: tuple[StandinServer, str], eras_standin: tuple[StandinServer, str]
) -> None:
    demo = "date_heure >= '2025-01-15T00:00:00+01:00' and date_heure < '2025-01-16T00:00:00+01:00'"
    for dataset in (REGIONAL, NATIONAL):
        default = export(standin[1], dataset, where=demo, order_by="date_heure")[2]
        with_eras = export(eras_standin[1], dataset, where=demo, order_by="date_heure")[2]
        assert default == with_eras and len(rows_of(default)) > 0
    old = rows_of(export(standin[1], REGIONAL, where=MAY_2020)[2])
    assert list(old[0]) == generator.export_columns(REGIONAL)  # eras off: today's 31 fields
    assert {row["stockage_batterie"] for row in old} == {""}
