"""A 200 is not proof of a good answer: what cannot be right is never landed as settled.

Each bad answer is played by the stand-in (`tools/standin/faults.py`): a month answered with a
header only, numbers with decimal commas or text, Open-Meteo values that are not numbers, no
hour, arrays of unequal length, hours outside the days asked, and Open-Meteo's limit messages,
which carry no `Retry-After`. The answer is named (dataset, month, URL), nothing of it is kept,
and the next run asks again, even for a month older than `refresh_days`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest

from extract import http
from extract.landing import SourceError
from extract.sources.open_meteo.budget import Budget, BudgetExhausted, Limits
from extract.sources.open_meteo.fetch import fetch_chunk
from extract.sources.open_meteo.plan import Chunk, plan_chunks, weather_points
from tools.standin.server import start_standin

NATIONAL = "eco2mix-national-cons-def"
WINTER = {
    "SOURCES__START_DATE": "2024-10-01",
    "SOURCES__END_DATE": "2025-01-01",
    "SOURCES__ECO2MIX__DATASETS": f'["{NATIONAL}"]',
}


@pytest.fixture
def served():
    """A stand-in of the test's own, so its empty months and faults touch no other test."""
    server, _ = start_standin(port=0)
    yield server
    server.stop()


def national_months(warehouse) -> list[str]:
    return [
        row[0]
        for row in warehouse.sql(
            "select distinct left(_source_file, 200) from raw.eco2mix_national order by 1"
        )
    ]


# --- éCO2mix ----------------------------------------------------------------------------------


def test_a_header_only_month_inside_the_loaded_span_is_named_not_kept_and_asked_again(
    make_warehouse, served
):
    served.empty_months = {(NATIONAL, "2024-11")}
    warehouse = make_warehouse(SOURCES__ECO2MIX__BASE_URL=served.base_url, **WINTER)
    first = warehouse.extract()
    assert first.returncode == 0
    warning = next(line for line in first.stderr.splitlines() if line.startswith("warning:"))
    assert f"éCO2mix {NATIONAL} 2024-11 came back with a header and no row" in warning
    assert "exports/csv?where=" in warning and "the next run asks again" in warning
    november = warehouse.workdir / "raw" / "csv" / "eco2mix" / NATIONAL / "2024-11.csv"
    assert not november.exists()
    assert len(national_months(warehouse)) == 2

    # November is long settled (older than refresh_days), yet the next run asks for it again
    served.empty_months = set()
    since = len(served.request_log)
    second = warehouse.extract()
    asked = [path for path in served.request_log[since:] if "/exports/" in path]
    assert second.returncode == 0 and "warning:" not in second.stderr
    assert len(asked) == 1 and "2024-11-01T00%3A00%3A00%2B01%3A00" in asked[0]
    assert november.exists() and len(national_months(warehouse)) == 3


def test_a_header_only_file_landed_by_an_older_version_is_fetched_again(make_warehouse, served):
    warehouse = make_warehouse(SOURCES__ECO2MIX__BASE_URL=served.base_url, **WINTER)
    november = warehouse.workdir / "raw" / "csv" / "eco2mix" / NATIONAL / "2024-11.csv"
    november.parent.mkdir(parents=True)
    november.write_text("perimetre;nature;date_heure;consommation\n")
    warehouse.extract()
    assert november.stat().st_size > 100_000 and len(national_months(warehouse)) == 3


def test_a_header_only_month_before_the_first_published_day_is_no_warning(make_warehouse, served):
    # national consolidated data starts in 2012: December 2011 is simply empty
    warehouse = make_warehouse(
        SOURCES__ECO2MIX__BASE_URL=served.base_url,
        SOURCES__START_DATE="2011-12-01",
        SOURCES__END_DATE="2012-02-01",
        SOURCES__ECO2MIX__DATASETS=f'["{NATIONAL}"]',
    )
    result = warehouse.extract()
    assert result.returncode == 0 and "warning:" not in result.stderr
    assert not (warehouse.workdir / "raw" / "csv" / "eco2mix" / NATIONAL / "2011-12.csv").exists()
    assert len(national_months(warehouse)) == 1


@pytest.mark.parametrize(
    ("fault", "found"),
    [("decimal-comma", "a decimal comma or text"), ("text-number", "'n/a' in the numeric column")],
)
def test_an_export_with_bad_numbers_fails_in_one_line_and_is_fetched_again(
    make_warehouse, served, fault, found
):
    warehouse = make_warehouse(SOURCES__ECO2MIX__BASE_URL=served.base_url, **WINTER)
    served.export_faults.append(fault)
    result = warehouse.extract(check=False)
    assert result.returncode == 1
    error = result.stderr.strip()
    assert "\n" not in error and found in error
    assert f"éCO2mix {NATIONAL} 2024-10 (http://" in error and "nothing of it was kept" in error
    assert not list((warehouse.workdir / "raw" / "csv" / "eco2mix").rglob("2024-10.csv"))
    assert warehouse.fingerprint()["eco2mix_national"] == (0, None)

    warehouse.extract()
    assert len(national_months(warehouse)) == 3


# --- Open-Meteo -----------------------------------------------------------------------------

TODAY = dt.datetime.now(dt.UTC).date()
FAST = http.Client(retries=2, backoff_s=0.01, timeout_s=5)


@pytest.fixture
def chunk(tmp_path) -> Chunk:
    first = TODAY - dt.timedelta(days=40)
    return plan_chunks(
        weather_points()[:3],
        first,
        first + dt.timedelta(days=3),
        TODAY,
        max_request_cost=20,
        refresh_days=45,
        landing_dir=tmp_path,
    )[0]


def fetch(chunk, faults: list[str], limits: Limits | None = None) -> bytes:
    server, base_url = start_standin(today=TODAY, meteo_faults=faults)
    budget = Budget(limits or Limits(1e9, 1e9, 1e9), sleep=lambda _: None)
    try:
        return fetch_chunk(FAST, f"{base_url}/v1/archive", chunk, budget)
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("fault", "found"),
    [
        ("nan", "`NaN` among its values"),
        ("infinity", "`Infinity` among its values"),
        ("empty-hourly", "no hour in its `hourly` arrays"),
        ("ragged", "values for"),
        ("outside-window", "outside the days asked for"),
    ],
)
def test_an_open_meteo_answer_that_cannot_be_right_is_refused_with_its_url(chunk, fault, found):
    with pytest.raises(SourceError) as refused:
        fetch(chunk, [fault])
    message = str(refused.value)
    assert "\n" not in message and found in message
    assert chunk.describe() in message and "/v1/archive?latitude=" in message
    assert "nothing of it was kept" in message


def test_a_bad_open_meteo_answer_is_not_landed_and_the_next_run_asks_again(make_warehouse):
    server, base_url = start_standin(port=0, meteo_faults=["nan"])
    try:
        warehouse = make_warehouse(
            SOURCES__OPEN_METEO__BASE_URL=base_url,
            SOURCES__OPEN_METEO__FORECAST_BASE_URL=base_url,
            SOURCES__START_DATE="2024-10-01",
            SOURCES__END_DATE="2024-11-01",
        )
        failed = warehouse.extract(check=False, sources=("open_meteo",))
        weather = warehouse.workdir / "raw" / "api" / "open_meteo"
        landed = list(weather.rglob("*.json"))
        warehouse.extract(sources=("open_meteo",))
    finally:
        server.stop()
    assert failed.returncode == 1 and "`NaN` among its values" in failed.stderr
    assert landed == []  # the first request was refused, and the run stopped there
    # October 2024 in Paris days: 31 days and the extra hour of the autumn clock change
    hours = 31 * 24 + 1
    assert warehouse.sql(
        "select count(*), count(temperature_2m) filter (where temperature_2m = 'NaN')"
        " from raw.open_meteo_hourly"
    ) == [(len(weather_points()) * hours, 0)]


def test_the_minutely_limit_message_waits_out_the_minute(chunk, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    body = fetch(chunk, ["429-minutely"])
    assert len(json.loads(body)) == 3
    assert waits and waits[0] >= 60  # the message names a minute and no Retry-After comes


def test_a_minutely_limit_longer_than_the_run_may_wait_stops_cleanly(chunk, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _: None)
    with pytest.raises(BudgetExhausted, match="Minutely API request limit"):
        fetch(chunk, ["429-minutely"], Limits(1e9, 1e9, 1e9, max_wait_s=30))


@pytest.mark.parametrize("fault", ["429-hourly", "429-daily"])
def test_the_hourly_and_daily_limit_messages_stop_cleanly(chunk, fault):
    with pytest.raises(BudgetExhausted, match="Open-Meteo says"):
        fetch(chunk, [fault])


def test_a_run_under_a_tight_minute_limit_waits_the_minute_and_completes(make_warehouse):
    # Five requests of October 2024 against a limit that the third one reaches: the fourth is
    # refused with the minutely message (no Retry-After), waits the minute, and the run ends
    # with every hour. Backoff alone (0.05 + 0.1 + ... s) would spend every attempt inside it.
    server, base_url = start_standin(port=0, minute_limit=50)
    try:
        warehouse = make_warehouse(
            SOURCES__OPEN_METEO__BASE_URL=base_url,
            SOURCES__OPEN_METEO__FORECAST_BASE_URL=base_url,
            SOURCES__OPEN_METEO__BACKOFF_SECONDS="0.05",
            SOURCES__START_DATE="2024-10-01",
            SOURCES__END_DATE="2024-11-01",
        )
        result = warehouse.extract(sources=("open_meteo",))
    finally:
        server.stop()
    assert "Minutely API request limit exceeded" in result.stdout
    assert re.search(r"retry 1/\d+ in 6\d\.\d s", result.stdout)
    hours = 31 * 24 + 1
    rows = warehouse.scalar("select count(*) from raw.open_meteo_hourly")
    assert rows == len(weather_points()) * hours
