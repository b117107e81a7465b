"""One chunk's request, through the shared client (`extract.http`): every attempt is charged to
the budget, and Open-Meteo's limit messages wait out the minute or stop the run cleanly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import requests

from extract import http
from extract.landing import SourceError
from extract.sources.open_meteo.budget import Budget, BudgetExhausted
from extract.sources.open_meteo.parse import check_consistent, validate_json
from extract.sources.open_meteo.plan import Chunk, request_params


def fetch_chunk(client: http.Client, url: str, chunk: Chunk, budget: Budget) -> bytes:
    """One chunk's body, whole and consistent; `client` gives the retries, backoff and timeout.

    Raises BudgetExhausted to stop the run cleanly, SourceError when the request failed.
    """
    retries = client.attempts - 1
    paced = dataclasses.replace(
        client,
        max_wait_s=budget.limits.max_wait_s,
        before_attempt=lambda: budget.acquire(chunk.cost),  # the API counts every attempt
        wait_for=lambda response: limit_wait_seconds(response, budget.limits.max_wait_s),
        on_retry=lambda problem, retry, seconds: print(
            f"open_meteo: {chunk.describe()}: {problem}; retry {retry}/{retries} "
            f"in {seconds:.1f} s",
            flush=True,
        ),
    )
    try:
        response = paced.get(url, request_params(chunk), check=whole_answer(len(chunk.points)))
    except http.FetchFailed as failed:
        raise gave_up(chunk, failed.attempts, failed.problem) from None
    except requests.RequestException as error:
        raise SourceError(
            f"Cannot ask Open-Meteo for the {chunk.describe()} ({type(error).__name__}): check "
            f"[sources.open_meteo] base_url and forecast_base_url."
        ) from None
    if response.status_code == 200:
        check_consistent(response.content, chunk, response.url)
        return response.content
    if response.status_code in http.RETRY_STATUSES:
        raise gave_up(chunk, paced.attempts, http.status_problem(response))
    raise SourceError(
        f"Open-Meteo refused the {chunk.describe()} request with HTTP {response.status_code}: "
        f"{http.error_reason(response) or 'no reason given'}; fix the request "
        f"([sources] dates, [sources.open_meteo] settings or weather_points.csv)."
    )


def whole_answer(locations: int):
    """The client's body check: a body cut in transit (not JSON, no `hourly` block, too few
    locations) is asked for again."""

    def check(body: bytes) -> None:
        try:
            validate_json(body, locations)
        except SourceError as error:
            raise http.Incomplete(str(error).rstrip(".")) from None

    return check


def limit_wait_seconds(response: requests.Response, max_wait_s: float) -> float | None:
    """The wait Open-Meteo's 429 message asks for, or None (then `Retry-After`, else backoff).

    The hourly and daily limits stop the run cleanly. The per-minute one ("Minutely API request
    limit exceeded") comes without `Retry-After`: the next try waits for the minute to pass,
    or the run stops cleanly if it may not wait that long.
    """
    reason = http.error_reason(response) if response.status_code == 429 else ""
    if "hourly" in reason.lower() or "daily" in reason.lower():
        raise limit_reached(reason, dt.timedelta(hours=1 if "hourly" in reason.lower() else 24))
    if "minute" not in reason.lower() or http.retry_after_seconds(response) is not None:
        return None
    wait = 60.0 + random.uniform(1.0, 3.0)
    if wait > max_wait_s:
        raise limit_reached(reason, dt.timedelta(seconds=wait))
    return wait


def limit_reached(reason: str, wait: dt.timedelta) -> BudgetExhausted:
    resume = (dt.datetime.now(dt.UTC) + wait).replace(microsecond=0)
    return BudgetExhausted(f"Open-Meteo says: {reason.rstrip('.')}", resume)


def gave_up(chunk: Chunk, attempts: int, problem: str) -> SourceError:
    return SourceError(
        f"Open-Meteo {chunk.describe()} failed {attempts} times (last: {problem}); every chunk "
        f"done before is kept: run the extract again later to resume from there."
    )
