"""One chunk's request: retried on 429, 5xx, timeouts and cut bodies, every attempt charged to
the budget; Open-Meteo's limit messages wait out the minute or stop the run cleanly."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests

from extract.landing import USER_AGENT, SlowBody, SourceError, read_body
from extract.sources.open_meteo.budget import Budget, BudgetExhausted
from extract.sources.open_meteo.parse import check_consistent, validate_json
from extract.sources.open_meteo.plan import Chunk, request_params


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to insist on one request before the run gives up."""

    attempts: int = 6
    backoff_s: float = 2.0
    max_backoff_s: float = 120.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff with jitter, so retrying clients do not stampede together."""
        base = min(self.max_backoff_s, self.backoff_s * 2.0 ** (attempt - 1))
        return base * random.uniform(0.8, 1.2)


def http_session() -> requests.Session:
    """No adapter-level retries: every attempt must pass through the budget."""
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    return http


def retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` in seconds (either form the RFC allows), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def limit_wait_seconds(response: requests.Response, reason: str, budget: Budget) -> float | None:
    """How long a 429 asks to wait: its `Retry-After`, if any. Open-Meteo sends none; its
    per-minute message ("Minutely API request limit exceeded") then means waiting for the
    minute to pass, which backoff alone would not."""
    delay = retry_after_seconds(response)
    if delay is not None or "minute" not in reason.lower():
        return delay
    wait = 60.0 + random.uniform(1.0, 3.0)
    if wait > budget.limits.max_wait_s:
        resume = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
        raise BudgetExhausted(
            f"Open-Meteo says: {reason.rstrip('.')}", resume.replace(microsecond=0)
        )
    return wait


def api_reason(response: requests.Response) -> str:
    """The API's own reason (`{"error": true, "reason": ...}`), on one line."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
    reason = body.get("reason") if isinstance(body, dict) else None
    return " ".join(str(reason).split()) if reason else ""


def fetch_chunk(
    http: requests.Session,
    url: str,
    chunk: Chunk,
    budget: Budget,
    policy: RetryPolicy,
) -> bytes:
    """One chunk's body, validated; retries what is transient, raises SourceError otherwise."""
    params = request_params(chunk)
    problem = ""
    for attempt in range(1, policy.attempts + 1):
        budget.acquire(chunk.cost)  # every attempt counts: the API counts it too
        delay: float | None = None
        try:
            started = time.monotonic()
            response = http.get(
                url,
                params=params,
                timeout=(policy.connect_timeout_s, policy.read_timeout_s),
                stream=True,
            )
            read_body(response, started, policy.read_timeout_s)
        except SlowBody as error:
            problem = str(error)
        except requests.Timeout:
            problem = f"no answer within {policy.read_timeout_s:g} s"
        except requests.RequestException as error:
            problem = f"connection failed ({type(error).__name__})"
        else:
            if response.status_code == 200:
                try:
                    validate_json(response.content, len(chunk.points))
                except SourceError as error:
                    problem = str(error).rstrip(".")  # typically a body cut in transit: ask again
                else:
                    check_consistent(response.content, chunk, response.url)
                    return response.content
            else:
                problem, delay = refusal(response, chunk, budget)
        if attempt == policy.attempts:
            break
        delay = policy.delay(attempt) if delay is None else min(delay, budget.limits.max_wait_s)
        print(
            f"open_meteo: {chunk.describe()}: {problem}; retry {attempt}/{policy.attempts - 1} "
            f"in {delay:.1f} s",
            flush=True,
        )
        time.sleep(delay)
    raise SourceError(
        f"Open-Meteo {chunk.describe()} failed {policy.attempts} times (last: {problem}); "
        f"every chunk done before is kept: run the extract again later to resume from there."
    )


def refusal(response: requests.Response, chunk: Chunk, budget: Budget) -> tuple[str, float | None]:
    """(problem, wait) of an answer that is not a 200 and worth asking again; raises otherwise."""
    status = response.status_code
    reason = api_reason(response)
    if status == 429:
        if any(word in reason.lower() for word in ("hourly", "daily")):
            hours = 1 if "hourly" in reason.lower() else 24
            resume = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
            raise BudgetExhausted(
                f"Open-Meteo says: {reason.rstrip('.')}", resume.replace(microsecond=0)
            )
        return f"HTTP 429 ({reason or 'too many requests'})", limit_wait_seconds(
            response, reason, budget
        )
    if status >= 500:
        return f"HTTP {status}" + (f" ({reason})" if reason else ""), retry_after_seconds(response)
    raise SourceError(
        f"Open-Meteo refused the {chunk.describe()} request with HTTP {status}: "
        f"{reason or 'no reason given'}; fix the request "
        f"([sources] dates, [sources.open_meteo] settings or weather_points.csv)."
    )
