"""Open-Meteo source without a database: cost and pacing, parsing, and every fetch fault path."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from extract import http
from extract.landing import SourceError
from extract.sources.open_meteo.budget import (
    Budget,
    BudgetExhausted,
    Limits,
    request_cost,
    simulate,
)
from extract.sources.open_meteo.fetch import fetch_chunk
from extract.sources.open_meteo.load import changed_rows
from extract.sources.open_meteo.parse import drop_unpublished_tail, parse_body, parse_response
from extract.sources.open_meteo.plan import Chunk, plan_chunks, weather_points
from tools.standin.server import start_standin

TODAY = dt.datetime.now(dt.UTC).date()
FREE_TIER = {"minute": (60, 600), "hour": (3600, 5000), "day": (86400, 10000)}


def full_history(landing: Path) -> list[Chunk]:
    return plan_chunks(
        weather_points(),
        dt.date(2013, 1, 1),
        TODAY + dt.timedelta(days=1),
        TODAY,
        max_request_cost=20,
        refresh_days=45,
        landing_dir=landing,
    )


# -- coverage and cost ------------------------------------------------------------------------


def test_request_cost_follows_the_free_tier_formula():
    assert request_cost(6, 31, 1) == pytest.approx(31 / 14)
    assert request_cost(6, 7, 12) == 12  # shorter than 14 days still costs a whole call
    assert request_cost(1, 365, 1) == pytest.approx(26.07, abs=0.01)  # the docs' example


def test_full_history_is_chunked_under_the_request_cost_and_covers_each_hour_once(tmp_path):
    chunks = full_history(tmp_path)
    points = weather_points()
    assert max(chunk.cost for chunk in chunks) <= 20
    days: Counter[tuple[str, dt.date]] = Counter()
    for chunk in chunks:
        day = chunk.first
        while day < chunk.end:
            days.update((point["point_id"], day) for point in chunk.points)
            day += dt.timedelta(days=1)
    expected = (TODAY + dt.timedelta(days=1) - dt.date(2013, 1, 1)).days * len(points)
    assert len(days) == expected and set(days.values()) == {1}
    # the landing name says which window and which group, so re-runs find it
    assert len({chunk.path for chunk in chunks}) == len(chunks)
    archive = [c for c in chunks if c.endpoint == "archive"]
    assert archive[0].path.parent.name == "2013-01"
    # the name gives the UTC days asked: January's Paris days start at 23:00 UTC on 31 December
    assert archive[0].path.name.startswith("2012-12-31_2013-01-31_g1of")
    assert dict(archive[0].params) == {"start_date": "2012-12-31", "end_date": "2013-01-31"}
    assert chunks[-1].endpoint == "forecast"


def test_pacing_keeps_a_full_history_inside_every_free_tier_window(tmp_path):
    chunks = full_history(tmp_path)
    clock = [1_000_000.0]
    budget = Budget(
        Limits(),
        clock=lambda: clock[0],
        sleep=lambda s: clock.__setitem__(0, clock[0] + s),
        say=lambda _: None,
    )
    done = 0
    for chunk in chunks:
        try:
            budget.acquire(chunk.cost)
        except BudgetExhausted:
            break
        done += 1
    stamps = budget.entries
    for seconds, limit in FREE_TIER.values():
        worst = max(sum(c for s, c in stamps if t - seconds < s <= t) for t, _ in stamps)
        assert worst <= limit
    total = sum(chunk.cost for chunk in chunks)
    if total > Limits().per_day:  # then the run stops cleanly and the next one resumes
        assert 0 < done < len(chunks)
    else:
        assert done == len(chunks)
    assert simulate([c.cost for c in chunks], Limits())[0] == done


def test_daily_budget_stops_cleanly_and_the_ledger_is_shared_between_runs(tmp_path):
    ledger = tmp_path / "calls.log"
    limits = Limits(per_minute=1e9, per_hour=1e9, per_day=50, max_wait_s=60)
    first = Budget(limits, ledger=ledger, sleep=lambda _: None)
    for _ in range(2):
        first.acquire(20)
    second = Budget(limits, ledger=ledger, sleep=lambda _: None)  # the next run, same day
    assert second.spent(86400) == 40
    with pytest.raises(BudgetExhausted, match="daily budget of 50 calls") as stop:
        second.acquire(20)
    assert stop.value.resume_at > dt.datetime.now(dt.UTC)


# -- parsing ------------------------------------------------------------------------------------

POINT = {"point_id": "test_point", "latitude": "-34.9", "longitude": "138.6"}


@pytest.mark.parametrize(
    "name", ["open_meteo_archive_adelaide_2025-01-10_12.json", "open_meteo_forecast_adelaide.json"]
)
def test_real_captures_parse_into_one_row_per_hour(real_samples, landing, name):
    path = landing / name
    shutil.copy(real_samples / name, path)
    table = parse_response(path, [POINT])
    assert table.num_rows == 72
    assert table["time"].to_pylist() == json.loads(path.read_text())["hourly"]["time"]
    assert table["temperature_2m"].null_count == 0
    assert table["precipitation"].null_count == 0
    assert table["wind_speed_100m"].null_count == 72  # not asked in that capture: null


def document(hours: int, **series: list) -> dict:
    times = [f"2025-01-01T{h:02d}:00" for h in range(hours)]
    return {"latitude": 1.0, "longitude": 2.0, "hourly": {"time": times, **series}}


def test_missing_variables_and_nulls_load_as_null_and_only_the_unpublished_tail_is_dropped():
    body = json.dumps(
        [
            document(4, temperature_2m=[1.0, None, 3.0, None]),
            document(4, temperature_2m=[None, None, None, None]),
        ]
    ).encode()
    points = [POINT, {**POINT, "point_id": "other"}]
    table = parse_body(body, points, "x.json")
    assert table.num_rows == 8 and table["cloud_cover"].null_count == 8
    kept = drop_unpublished_tail(table)
    assert kept["location_id"].to_pylist() == ["test_point"] * 3
    assert kept["temperature_2m"].to_pylist() == [1.0, None, 3.0]


def test_changed_rows_yields_only_what_is_new_or_different():
    old = parse_body(json.dumps(document(2, temperature_2m=[1.0, 2.0])).encode(),
                                [POINT], "a.json")  # fmt: skip
    new = parse_body(json.dumps(document(3, temperature_2m=[1.0, 2.5, 3.0])).encode(),
                                [POINT], "b.json")  # fmt: skip
    assert changed_rows(new, old)["temperature_2m"].to_pylist() == [2.5, 3.0]
    assert changed_rows(old, old).num_rows == 0


# -- fetching against the stand-in --------------------------------------------------------------

FAST = http.Client(retries=3, backoff_s=0.01, timeout_s=0.5)


@pytest.fixture
def chunk(tmp_path) -> Chunk:
    points = weather_points()[:3]
    first = TODAY - dt.timedelta(days=40)
    return plan_chunks(
        points, first, first + dt.timedelta(days=3), TODAY,
        max_request_cost=20, refresh_days=45, landing_dir=tmp_path,
    )[0]  # fmt: skip


def run_fetch(chunk, faults, policy=FAST, **options) -> tuple[bytes, list[str], float]:
    server, base_url = start_standin(today=TODAY, meteo_faults=faults, fault_delay_s=1, **options)
    budget = Budget(Limits(per_minute=1e9, per_hour=1e9, per_day=1e9), sleep=lambda _: None)
    try:
        body = fetch_chunk(policy, f"{base_url}/v1/archive", chunk, budget)
    finally:
        server.stop()
    return body, server.meteo_served, budget.spent(60)


@pytest.mark.parametrize("fault", ["429", "500", "503", "timeout", "truncate", "drop"])
def test_a_transient_fault_is_retried_and_the_request_completes(chunk, fault, capsys):
    body, _, spent = run_fetch(chunk, [fault])
    # three Paris days are asked as four UTC days: the first starts at 23:00 UTC the day before
    assert len(json.loads(body)) == 3 and len(json.loads(body)[0]["hourly"]["time"]) == 96
    assert spent == pytest.approx(2 * chunk.cost)  # the failed attempt counted too
    assert "retry 1/3" in capsys.readouterr().out


def test_retry_after_is_honoured(chunk, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    run_fetch(chunk, ["429", "500"], retry_after_s=7)
    assert waits[0] == 7 and waits[1] < 1  # Retry-After, then exponential backoff


def test_a_fault_that_persists_fails_in_one_clear_line(chunk):
    with pytest.raises(SourceError) as failure:
        run_fetch(chunk, ["500"] * 4)
    message = str(failure.value)
    assert "\n" not in message and "failed 4 times" in message and "HTTP 500" in message
    assert "again later to resume" in message


def test_the_daily_limit_answer_stops_cleanly(chunk):
    with pytest.raises(BudgetExhausted, match="Daily API request limit"):
        run_fetch(chunk, ["429-daily"])


def test_http_400_shows_the_api_reason_and_is_not_retried(tmp_path):
    bad = plan_chunks(
        weather_points()[:1], dt.date(1930, 1, 1), dt.date(1930, 1, 5), TODAY,
        max_request_cost=20, refresh_days=45, landing_dir=tmp_path,
    )[0]  # fmt: skip
    with pytest.raises(SourceError) as failure:
        run_fetch(bad, [])
    message = str(failure.value)
    assert "HTTP 400" in message and "out of allowed range" in message and "\n" not in message
