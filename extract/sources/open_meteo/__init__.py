"""Open-Meteo hourly weather at every point of `dbt_project/seeds/weather_points.csv`.

The dlt source: its settings come from `[sources.open_meteo]`. `plan` says which requests a
run makes, `budget` paces them inside the free tier, `fetch` makes them, `parse` turns answers
into rows and `load` lands them and yields what changed.
"""

from __future__ import annotations

import datetime as dt
import math

import dlt

from extract import http, landing
from extract.landing import SourceError
from extract.periods import clip_start
from extract.sources.open_meteo.budget import Limits
from extract.sources.open_meteo.load import Run, hourly_resource
from extract.sources.open_meteo.parse import parse_response, validate_json
from extract.sources.open_meteo.plan import ARCHIVE_DELAY_DAYS, ARCHIVE_FIRST_DAY, weather_points

__all__ = ["open_meteo_source", "parse_response", "validate_json", "weather_points"]
PACING = ("on", "off")


@dlt.source(name="open_meteo")
def open_meteo_source(
    base_url: str = dlt.config.value,
    forecast_base_url: str = dlt.config.value,
    start_date: str = dlt.config.value,
    end_date: str = "",
    refresh_days: int = 45,
    archive_delay_days: int = ARCHIVE_DELAY_DAYS,
    max_request_cost: float = 20.0,
    calls_per_minute: float = 480,
    calls_per_hour: float = 4000,
    calls_per_day: float = 9000,
    max_wait_seconds: float = 3900,
    attempts: int = 6,
    backoff_seconds: float = 2.0,
    timeout_seconds: float = 60.0,
    progress_seconds: float = 10.0,
    pacing: str = "on",
):
    """Archive months up to the archive's horizon, then the forecast API's `past_days`.

    A landed file that cannot be read is skipped (reported as a bad file, its hash not
    recorded so the next run tries it again), the others load.
    """
    today = dt.datetime.now(dt.UTC).date()
    start = clip_start(
        "open_meteo", dt.date.fromisoformat(start_date), "the archive", ARCHIVE_FIRST_DAY
    )
    if max_request_cost < 1:
        raise SourceError("[sources.open_meteo] max_request_cost must be at least 1 call.")
    limits = Limits(calls_per_minute, calls_per_hour, calls_per_day, max_wait_seconds)
    if not paced(pacing):
        limits = Limits(math.inf, math.inf, math.inf, max_wait_seconds)
    run = Run(
        start=start,
        end=dt.date.fromisoformat(end_date) if end_date else today + dt.timedelta(days=1),
        today=today,
        max_request_cost=max_request_cost,
        refresh_days=refresh_days,
        archive_delay_days=archive_delay_days,
        limits=limits,
        client=http.Client(
            retries=max(1, attempts) - 1,
            backoff_s=backoff_seconds,
            backoff_jitter_s=backoff_seconds,  # retrying clients do not stampede together
            timeout_s=timeout_seconds,
            connect_timeout_s=min(10.0, timeout_seconds),
        ),
        urls={
            "archive": base_url.rstrip("/") + "/v1/archive",
            "forecast": forecast_base_url.rstrip("/") + "/v1/forecast",
        },
        landing_dir=landing.LANDING_DIR,
        progress_seconds=progress_seconds,
    )
    return hourly_resource(run)


def paced(pacing: str) -> bool:
    """`pacing = "on"` keeps the requests inside the free tier; "off" is for a local service."""
    if pacing not in PACING:
        gone = " (auto, the old default, is gone)" if pacing == "auto" else ""
        raise SourceError(f"[sources.open_meteo] pacing is {pacing!r}{gone}: use on or off.")
    return pacing == "on"
