"""Open-Meteo hourly weather at every weather point of `dbt_project/seeds/weather_points.csv`.

History comes from the archive API (ERA5, about five days behind), one calendar month per
request; the last days come from the forecast API with `past_days`. Points are fetched several
per request (the API answers a JSON array in request order), in groups small enough that each
request costs at most `max_request_cost` weighted calls (`open_meteo_budget`). Every request is
paced inside the free tier and retried on 429/5xx/timeouts; a chunk is one (window, group) pair
and its landing file name says which, so a re-run finds what is already done.

Each response body is kept unchanged in the landing zone, then flattened into
`raw.open_meteo_hourly`: one row per point per hour, merged on (`location_id`, `time`). The API
answers with its grid cell's coordinates, not ours, so the row carries our `location_id` and the
coordinates we asked for. Only rows that are new or changed since the chunk's last load are
yielded, so a re-run with nothing new adds and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import requests

from extract.landing import (
    LANDING_DIR,
    USER_AGENT,
    SlowBody,
    SourceError,
    clip_start,
    is_settled,
    month_chunks,
    paris_midnight,
    read_body,
    relative,
    utc_hour,
    with_required,
    write_atomically,
)
from extract.sources.open_meteo_budget import (
    Budget,
    BudgetExhausted,
    Limits,
    format_duration,
    request_cost,
    simulate,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
WEATHER_POINTS = PROJECT_DIR / "dbt_project" / "seeds" / "weather_points.csv"
VARIABLES = (
    "temperature_2m",
    "apparent_temperature",
    "wind_speed_100m",
    "shortwave_radiation",
    "cloud_cover",
    "precipitation",
)
ROW_FIELDS = (
    "requested_latitude",
    "requested_longitude",
    "latitude",
    "longitude",
    "elevation",
    "timezone",
    "utc_offset_seconds",
    "time",
)
TABLE = "open_meteo_hourly"
ARCHIVE_DELAY_DAYS = 6  # the archive lags about five days behind real time
# The archive (ERA5) starts 1940-01-01 UTC; a Paris day also needs the UTC evening before it.
ARCHIVE_FIRST_DAY = dt.date(1940, 1, 2)
MAX_PAST_DAYS = 92
LONGEST_WINDOW_DAYS = 32  # a month of Paris days and the UTC evening before: sizes the groups


# --------------------------------------------------------------------------------------------
# Points and chunks
# --------------------------------------------------------------------------------------------


def weather_points(path: Path = WEATHER_POINTS) -> list[dict[str, str]]:
    """The points to fetch: one list, shared with dbt as a seed."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def point_groups(points: list[dict[str, str]], max_request_cost: float) -> list[list[dict]]:
    """Consecutive, balanced groups small enough for a month of all variables per request."""
    per_point = request_cost(len(VARIABLES), LONGEST_WINDOW_DAYS, 1)
    size = max(1, math.floor(max_request_cost / per_point))
    count = max(1, math.ceil(len(points) / size))
    bounds = [round(i * len(points) / count) for i in range(count + 1)]
    return [points[bounds[i] : bounds[i + 1]] for i in range(count)]


def group_key(index: int, count: int, group: list[dict[str, str]]) -> str:
    """Stable name of a group: a changed point list never reuses another list's files."""
    identity = ";".join(f"{p['point_id']},{p['latitude']},{p['longitude']}" for p in group)
    return f"g{index + 1}of{count}-{hashlib.sha256(identity.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Chunk:
    """One request: a window of days for one group of points, and where its answer lands."""

    endpoint: str  # "archive" or "forecast"
    first: dt.date  # first day of the rows it loads
    end: dt.date  # exclusive
    group: tuple[int, int]  # (index, count), for messages
    points: tuple[dict[str, str], ...]
    key: str  # stable across runs: where the chunk's last loaded file is remembered
    path: Path
    params: tuple[tuple[str, str], ...]
    days: int  # days asked of the API (the cost basis)
    settled: bool  # old enough that a landed copy is final
    asked: tuple[str, str] = ("", "~")  # [first, end) UTC hours the answer may hold

    @property
    def cost(self) -> float:
        return request_cost(len(VARIABLES), self.days, len(self.points))

    def describe(self) -> str:
        index, count = self.group
        span = f"{self.first:%Y-%m}" if self.endpoint == "archive" else f"from {self.first}"
        return f"{self.endpoint} {span}, points group {index + 1}/{count}"


def plan_chunks(
    points: list[dict[str, str]],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    *,
    max_request_cost: float,
    refresh_days: int,
    archive_delay_days: int = ARCHIVE_DELAY_DAYS,
    landing_dir: Path | None = None,
) -> list[Chunk]:
    """Every (window, group) request for [start, end): archive months, then the forecast days."""
    landing = (landing_dir or LANDING_DIR) / "api" / "open_meteo"
    groups = point_groups(points, max_request_cost)
    keys = [group_key(i, len(groups), group) for i, group in enumerate(groups)]
    archive_end = min(end, today - dt.timedelta(days=archive_delay_days))
    chunks: list[Chunk] = []
    for first, last in month_chunks(start, archive_end):
        # Paris days [first, last) start at 22:00 or 23:00 UTC the day before: ask UTC days
        # [first - 1, last - 1] (the API's end_date is inclusive), keep the Paris days' hours.
        asked_first, asked_last = first - dt.timedelta(days=1), last - dt.timedelta(days=1)
        for i, (group, key) in enumerate(zip(groups, keys, strict=True)):
            chunks.append(
                Chunk(
                    endpoint="archive",
                    first=first,
                    end=last,
                    group=(i, len(groups)),
                    points=tuple(group),
                    key=f"archive/{first:%Y-%m}/{key}",
                    path=landing
                    / "archive"
                    / f"{first:%Y-%m}"
                    / f"{asked_first}_{asked_last}_{key}.json",
                    params=(
                        ("start_date", asked_first.isoformat()),
                        ("end_date", asked_last.isoformat()),
                    ),
                    days=(asked_last - asked_first).days + 1,
                    settled=is_settled(last, today, refresh_days),
                    asked=(f"{asked_first}T00:00", f"{last}T00:00"),
                )
            )
    forecast_first = max(start, archive_end)
    if end > forecast_first:
        past_days = (today - forecast_first).days + 1  # + the evening before the Paris day
        forecast_days = 1 if end > today else 0
        if past_days > MAX_PAST_DAYS:
            raise SourceError(
                f"The forecast API serves at most {MAX_PAST_DAYS} past days, not {past_days}: "
                f"lower [sources.open_meteo] archive_delay_days."
            )
        asked_end = today + dt.timedelta(days=max(forecast_days, 1))
        for i, (group, key) in enumerate(zip(groups, keys, strict=True)):
            chunks.append(
                Chunk(
                    endpoint="forecast",
                    first=forecast_first,
                    end=min(end, today + dt.timedelta(days=1)),
                    group=(i, len(groups)),
                    points=tuple(group),
                    key=f"forecast/{key}",
                    path=landing / "forecast" / f"{today}_past{past_days}_{key}.json",
                    params=(("past_days", str(past_days)), ("forecast_days", str(forecast_days))),
                    days=past_days + forecast_days,
                    settled=False,
                    asked=(f"{today - dt.timedelta(days=past_days)}T00:00", f"{asked_end}T00:00"),
                )
            )
    return chunks


def request_params(points: list[dict[str, str]], **extra: str) -> dict[str, str]:
    return {
        "latitude": ",".join(point["latitude"] for point in points),
        "longitude": ",".join(point["longitude"] for point in points),
        "hourly": ",".join(VARIABLES),
        "timezone": "UTC",
        **extra,
    }


# --------------------------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------------------------


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
        base = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
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
    per-minute message ("Minutely API request limit exceeded. Please try again in one minute.")
    then means the next try must wait for the minute to pass: backoff alone (2 + 4 + ... s)
    would spend the retries inside that minute."""
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


def fetch(
    http: requests.Session,
    url: str,
    chunk: Chunk,
    budget: Budget,
    policy: RetryPolicy,
) -> bytes:
    """One chunk's body, validated; retries what is transient, raises SourceError otherwise."""
    params = request_params(list(chunk.points), **dict(chunk.params))
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
            status = response.status_code
            if status == 200:
                try:
                    validate_json(response.content, len(chunk.points))
                except SourceError as error:
                    problem = str(error).rstrip(".")  # typically a body cut in transit: ask again
                else:
                    check_consistent(response.content, chunk, response.url)
                    return response.content
            elif status == 429:
                reason = api_reason(response)
                if any(word in reason.lower() for word in ("hourly", "daily")):
                    hours = 1 if "hourly" in reason.lower() else 24
                    resume = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
                    raise BudgetExhausted(
                        f"Open-Meteo says: {reason.rstrip('.')}", resume.replace(microsecond=0)
                    )
                problem = f"HTTP 429 ({reason or 'too many requests'})"
                delay = limit_wait_seconds(response, reason, budget)
            elif status >= 500:
                reason = api_reason(response)
                problem = f"HTTP {status}" + (f" ({reason})" if reason else "")
                delay = retry_after_seconds(response)
            else:
                raise SourceError(
                    f"Open-Meteo refused the {chunk.describe()} request with HTTP {status}: "
                    f"{api_reason(response) or 'no reason given'}; fix the request "
                    f"([sources] dates, [sources.open_meteo] settings or weather_points.csv)."
                )
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


def check_consistent(body: bytes, chunk: Chunk, origin: str) -> None:
    """A complete answer that cannot be right is not retried (it would come back the same) and
    not kept: values that are not numbers (`NaN`, `Infinity`), no hour, arrays of unequal
    lengths, or hours outside the days asked for."""
    try:
        table = parse_body(body, list(chunk.points), chunk.path.name)
        if not table.num_rows:
            raise SourceError("no hour in its `hourly` arrays")
        bounds = pc.min_max(table["time"]).as_py()
        first, end = chunk.asked
        if bounds["min"] < first or bounds["max"] >= end:
            stray = bounds["min"] if bounds["min"] < first else bounds["max"]
            raise SourceError(f"an hour {stray} outside the days asked for ({first} → {end})")
    except SourceError as error:
        raise SourceError(
            f"Open-Meteo answered the {chunk.describe()} request with "
            f"{str(error).rstrip('.')} ({origin}); nothing of it was kept: run the extract "
            f"again later."
        ) from None


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def load_json(body: bytes):
    """JSON as the standard defines it: Python would accept `NaN` and `Infinity` as numbers."""

    def not_a_number(token: str) -> float:
        raise SourceError(f"`{token}` among its values")

    return json.loads(body, parse_constant=not_a_number)


def validate_json(body: bytes, locations: int | None = None) -> None:
    """Refuse what is not a complete answer: cut JSON, no `hourly` block, wrong location count."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise SourceError("Open-Meteo answered a body that is not complete JSON.") from None
    documents = parsed if isinstance(parsed, list) else [parsed]
    for location in documents:
        if not isinstance(location, dict) or "hourly" not in location:
            raise SourceError("Open-Meteo answered JSON without an `hourly` block.")
    if locations is not None and len(documents) != locations:
        raise SourceError(
            f"Open-Meteo answered {len(documents)} locations for {locations} requested."
        )


def landed_digest(path: Path) -> str:
    """`data_digest` of a landed file; a damaged one (not JSON) matches no answer."""
    try:
        return data_digest(path.read_bytes())
    except ValueError:
        return ""


def data_digest(body: bytes) -> str:
    """What a body says, ignoring `generationtime_ms`: equal digests mean nothing new."""
    parsed = load_json(body)
    for location in parsed if isinstance(parsed, list) else [parsed]:
        location.pop("generationtime_ms", None)
    return hashlib.sha256(json.dumps(parsed, sort_keys=True).encode()).hexdigest()


def parse_body(body: bytes, points: list[dict[str, str]], source_file: str) -> pa.Table:
    """Flatten one response into one row per point per hour; absent variables become null."""
    parsed = load_json(body)
    locations = parsed if isinstance(parsed, list) else [parsed]
    if len(locations) != len(points):
        raise SourceError(
            f"{source_file} holds {len(locations)} locations for {len(points)} requested points: "
            f"delete it and re-run."
        )
    columns: dict[str, list] = {name: [] for name in ("location_id", *ROW_FIELDS, *VARIABLES)}
    for point, location in zip(points, locations, strict=True):
        hourly = location["hourly"]
        times = hourly["time"]
        for variable in VARIABLES:
            values = hourly.get(variable)
            values = [None] * len(times) if values is None else values
            if len(values) != len(times):
                raise SourceError(
                    f"{source_file}: `{variable}` has {len(values)} values for {len(times)} hours"
                )
            columns[variable].extend(values)
        columns["location_id"].extend([point["point_id"]] * len(times))
        columns["time"].extend(times)
        for name, value in (
            ("requested_latitude", float(point["latitude"])),
            ("requested_longitude", float(point["longitude"])),
            ("latitude", location.get("latitude")),
            ("longitude", location.get("longitude")),
            ("elevation", location.get("elevation")),
            ("timezone", location.get("timezone")),
            ("utc_offset_seconds", location.get("utc_offset_seconds")),
        ):
            columns[name].extend([value] * len(times))
    types = {name: pa.float64() for name in (*VARIABLES, *ROW_FIELDS)}
    types.update(
        location_id=pa.string(),
        time=pa.string(),
        timezone=pa.string(),
        utc_offset_seconds=pa.int64(),
    )
    table = pa.table({name: pa.array(values, type=types[name]) for name, values in columns.items()})
    return table.append_column("_source_file", pa.array([source_file] * table.num_rows))


def parse_response(path: Path, points: list[dict[str, str]]) -> pa.Table:
    """Flatten one landed file (see `parse_body`)."""
    return parse_body(path.read_bytes(), points, relative(path))


def drop_unpublished_tail(table: pa.Table) -> pa.Table:
    """Drop each point's trailing hours where every variable is null: the archive has not
    published them yet (a later run fetches them); nulls inside the series are kept."""
    if table.num_rows == 0:
        return table
    any_value = pc.is_valid(table[VARIABLES[0]])
    for variable in VARIABLES[1:]:
        any_value = pc.or_(any_value, pc.is_valid(table[variable]))
    ids, has_value = table["location_id"].to_pylist(), any_value.to_pylist()
    keep = [True] * table.num_rows
    tail = True
    for i in range(table.num_rows - 1, -1, -1):
        if i == table.num_rows - 1 or ids[i] != ids[i + 1]:
            tail = True
        tail = tail and not has_value[i]
        keep[i] = not tail
    return table.filter(pa.array(keep))


def rows_in_window(table: pa.Table, first: dt.date, end: dt.date, now: str) -> pa.Table:
    """Keep the hours of the chunk's own Paris days (so no two chunks load one key) and no
    future hour; `time` is a UTC hour."""
    times = table["time"]
    lower, upper = (utc_hour(paris_midnight(day)) for day in (first, end))
    keep = pc.and_(
        pc.and_(pc.greater_equal(times, lower), pc.less(times, upper)),
        pc.less_equal(times, now),
    )
    return table.filter(keep)


def changed_rows(new: pa.Table, old: pa.Table | None) -> pa.Table:
    """Rows of `new` that `old` (the chunk's last loaded version) lacks or holds differently."""
    if old is None or old.num_rows == 0:
        return new
    compared = [name for name in new.column_names if name != "_source_file"]
    seen = set(zip(*(old[name].to_pylist() for name in compared), strict=True))
    rows = zip(*(new[name].to_pylist() for name in compared), strict=True)
    return new.filter(pa.array([row not in seen for row in rows]))


# --------------------------------------------------------------------------------------------
# The dlt source
# --------------------------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def chunk_rows(chunk: Chunk, body: bytes, start: dt.date, end: dt.date, now: str) -> pa.Table:
    """The rows a chunk loads from one of its bodies."""
    table = parse_body(body, list(chunk.points), relative(chunk.path))
    if chunk.endpoint == "archive":
        table = drop_unpublished_tail(table)
    return rows_in_window(table, max(chunk.first, start), min(chunk.end, end), now)


def last_loaded(chunk: Chunk, record: dict | None, start: dt.date, end: dt.date, now: str):
    """The chunk's previously loaded rows, if its file is still there, unchanged."""
    if not record:
        return None
    path = LANDING_DIR / record["file"]
    if not path.exists() or file_digest(path) != record["sha256"]:
        return None
    try:
        return chunk_rows(chunk, path.read_bytes(), start, end, now)
    except (SourceError, ValueError, KeyError):
        return None


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
    pacing: str = "auto",
    bad_files: list[str] | None = None,
):
    """Archive months up to the archive's horizon, then the forecast API's `past_days`.

    A landed file that cannot be read is skipped (its reason appended to `bad_files`, its
    hash not recorded so the next run tries it again), the others load.
    """
    bad_files = [] if bad_files is None else bad_files
    today = dt.datetime.now(dt.UTC).date()
    start = clip_start(
        "open_meteo", dt.date.fromisoformat(start_date), "the archive", ARCHIVE_FIRST_DAY
    )
    end = dt.date.fromisoformat(end_date) if end_date else today + dt.timedelta(days=1)
    if max_request_cost < 1:
        raise SourceError("[sources.open_meteo] max_request_cost must be at least 1 call.")
    limits = Limits(calls_per_minute, calls_per_hour, calls_per_day, max_wait_seconds)
    if not paced(pacing, base_url, forecast_base_url):
        limits = Limits(math.inf, math.inf, math.inf, max_wait_seconds)
    policy = RetryPolicy(
        attempts=max(1, attempts),
        backoff_s=backoff_seconds,
        read_timeout_s=timeout_seconds,
        connect_timeout_s=min(10.0, timeout_seconds),
    )
    urls = {
        "archive": base_url.rstrip("/") + "/v1/archive",
        "forecast": forecast_base_url.rstrip("/") + "/v1/forecast",
    }

    @dlt.resource(
        name=TABLE,
        primary_key=("location_id", "time"),
        write_disposition="merge",
    )
    def hourly() -> Iterator[pa.Table]:
        state = dlt.current.resource_state()
        state.pop("loaded_files", None)  # the first version's bookkeeping
        loaded: dict[str, dict[str, str]] = state.setdefault("chunks", {})
        chunks = plan_chunks(
            weather_points(),
            start,
            end,
            today,
            max_request_cost=max_request_cost,
            refresh_days=refresh_days,
            archive_delay_days=archive_delay_days,
        )
        for key in [k for k in loaded if k.startswith("forecast/")]:
            if key not in {chunk.key for chunk in chunks}:
                del loaded[key]  # a removed point group's forecast: nothing to compare with
        budget = Budget(limits, ledger=LANDING_DIR / "api" / "open_meteo" / "calls.log")
        to_fetch = [c for c in chunks if not (c.settled and c.path.exists())]
        announce(chunks, to_fetch, budget, start, end)
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M")
        http = http_session()
        progress = Progress(to_fetch, progress_seconds)
        fetch_paths = {chunk.path for chunk in to_fetch}
        for chunk in chunks:
            record = loaded.get(chunk.key)
            previous = None
            if chunk.path in fetch_paths:
                previous = last_loaded(chunk, record, start, end, now)  # before any overwrite
                try:
                    body = fetch(http, urls[chunk.endpoint], chunk, budget, policy)
                except BudgetExhausted as stop:
                    progress.stopped(stop)
                    return
                progress.advance(chunk)
                landed = chunk.path.exists() and landed_digest(chunk.path)
                if landed != data_digest(body):
                    write_atomically(chunk.path, body)  # otherwise keep the identical copy
            sha256 = file_digest(chunk.path)
            if record and record["file"] == relative(chunk.path) and record["sha256"] == sha256:
                continue
            if chunk.path not in fetch_paths:
                previous = last_loaded(chunk, record, start, end, now)
            try:
                rows = chunk_rows(chunk, chunk.path.read_bytes(), start, end, now)
            except (SourceError, ValueError, KeyError) as error:
                reason = str(error).strip().splitlines()[0][:160].rstrip(".")
                bad_files.append(
                    f"{chunk.path} cannot be read ({reason}): delete it and re-run to fetch "
                    f"it again."
                )
                continue
            table = changed_rows(rows, previous)
            if table.num_rows:
                yield with_required(table, ("location_id", "time"))
            loaded[chunk.key] = {"file": relative(chunk.path), "sha256": sha256}
        progress.finished()

    return hourly


def paced(pacing: str, *urls: str) -> bool:
    """Pacing protects a remote free tier; a stand-in on this machine needs none ("auto")."""
    if pacing not in ("auto", "on", "off"):
        raise SourceError(f"[sources.open_meteo] pacing is {pacing!r}: use auto, on or off.")
    if pacing != "auto":
        return pacing == "on"
    local = ("127.0.0.1", "localhost", "::1")
    return not all(urlsplit(url).hostname in local for url in urls)


def announce(
    chunks: list[Chunk], to_fetch: list[Chunk], budget: Budget, start: dt.date, end: dt.date
) -> None:
    """Before anything is fetched: what the run will cost, and how long pacing makes it."""
    cost = sum(chunk.cost for chunk in to_fetch)
    groups = chunks[0].group[1] if chunks else 0
    points = sum(len(c.points) for c in chunks[:groups])
    fits, seconds = simulate([c.cost for c in to_fetch], budget.limits, budget)
    line = (
        f"open_meteo: {start} → {end} (exclusive), {points} points in {groups} groups: "
        f"{len(to_fetch)} of {len(chunks)} requests to make, {cost:,.1f} API calls "
        f"(at most {max((c.cost for c in to_fetch), default=0):.1f} per request); "
        f"budget {budget.limits} ({budget.spent(86400):,.0f} used in the last 24 h)"
    )
    if fits < len(to_fetch):
        line += (
            f"; only {fits} requests fit in today's budget: this run stops there and the next "
            f"run resumes"
        )
    elif to_fetch:
        line += f"; about {format_duration(seconds)}"
    print(line + ".", flush=True)


class Progress:
    """How far the run got, every few seconds, and why it stopped."""

    def __init__(self, to_fetch: list[Chunk], every_s: float) -> None:
        self.total = len(to_fetch)
        self.total_cost = sum(c.cost for c in to_fetch)
        self.done = 0
        self.cost = 0.0
        self.every_s = every_s
        self.started = self.last = time.monotonic()

    def advance(self, chunk: Chunk) -> None:
        self.done += 1
        self.cost += chunk.cost
        now = time.monotonic()
        if now - self.last >= self.every_s or self.done == self.total:
            self.last = now
            elapsed = now - self.started
            left = elapsed / self.done * (self.total - self.done)
            print(
                f"open_meteo: {self.done}/{self.total} requests ({self.cost:,.1f} of "
                f"{self.total_cost:,.1f} calls), last {chunk.describe()}; "
                f"{format_duration(elapsed)} elapsed, about {format_duration(left)} left.",
                flush=True,
            )

    def stopped(self, stop: BudgetExhausted) -> None:
        print(
            f"open_meteo: stopped cleanly: {stop}; {self.done} of {self.total} requests done and "
            f"kept, {self.total - self.done} left: run the extract again after "
            f"{stop.resume_at:%Y-%m-%d %H:%M} UTC to resume.",
            flush=True,
        )

    def finished(self) -> None:
        if self.total == 0:
            print("open_meteo: every chunk is already landed; nothing to fetch.", flush=True)
