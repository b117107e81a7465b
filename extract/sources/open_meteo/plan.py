"""Which requests a run makes: the weather points, their groups, one chunk per (window, group).

History comes from the archive API one month of Paris days per request; the last days come from
the forecast API's `past_days`. A chunk's landing path names its window and group, so a re-run
finds what is already landed: a settled archive chunk reads the newest landed answer of its
month and group that covers its days (a month landed whole serves a run that asks fewer days).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from extract.landing import PROJECT_DIR, SourceError
from extract.periods import is_settled, month_chunks
from extract.sources.open_meteo.budget import request_cost

WEATHER_POINTS = PROJECT_DIR / "dbt_project" / "seeds" / "weather_points.csv"
VARIABLES = (
    "temperature_2m",
    "apparent_temperature",
    "wind_speed_100m",
    "shortwave_radiation",
    "cloud_cover",
    "precipitation",
)
ARCHIVE_DELAY_DAYS = 6  # the archive lags about five days behind real time
# The archive (ERA5) starts 1940-01-01 UTC; a Paris day also needs the UTC evening before it.
ARCHIVE_FIRST_DAY = dt.date(1940, 1, 2)
MAX_PAST_DAYS = 92
LONGEST_WINDOW_DAYS = 32  # a month of Paris days and the UTC evening before: sizes the groups

Group = tuple[list[dict[str, str]], str]  # the points of a group, and its stable key


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
    landing_dir: Path,
    archive_delay_days: int = ARCHIVE_DELAY_DAYS,
) -> list[Chunk]:
    """Every (window, group) request for [start, end): archive months, then the forecast days."""
    landing = landing_dir / "api" / "open_meteo"
    groups = point_groups(points, max_request_cost)
    named = [(group, group_key(i, len(groups), group)) for i, group in enumerate(groups)]
    archive_end = min(end, today - dt.timedelta(days=archive_delay_days))
    chunks = [
        chunk
        for first, last in month_chunks(start, archive_end)
        for chunk in archive_chunks(named, first, last, today, refresh_days, landing)
    ]
    forecast_first = max(start, archive_end)
    if end > forecast_first:
        chunks += forecast_chunks(named, forecast_first, end, today, landing)
    return chunks


def archive_chunks(
    groups: list[Group], first: dt.date, last: dt.date, today: dt.date, refresh_days: int, landing
) -> list[Chunk]:
    """One archive month of Paris days [first, last), for every group.

    Paris days start at 22:00 or 23:00 UTC the day before: ask UTC days [first - 1, last - 1]
    (the API's end_date is inclusive), keep the Paris days' hours.
    """
    asked_first, asked_last = first - dt.timedelta(days=1), last - dt.timedelta(days=1)
    folder = landing / "archive" / f"{first:%Y-%m}"
    settled = is_settled(last, today, refresh_days)
    return [
        Chunk(
            endpoint="archive",
            first=first,
            end=last,
            group=(i, len(groups)),
            points=tuple(points),
            key=f"archive/{first:%Y-%m}/{key}",
            path=(settled and covering(folder, asked_first, asked_last, key))
            or folder / f"{asked_first}_{asked_last}_{key}.json",
            params=(("start_date", asked_first.isoformat()), ("end_date", asked_last.isoformat())),
            days=(asked_last - asked_first).days + 1,
            settled=settled,
            asked=(f"{asked_first}T00:00", f"{last}T00:00"),
        )
        for i, (points, key) in enumerate(groups)
    ]


def covering(folder: Path, first: dt.date, last: dt.date, key: str) -> Path | None:
    """The newest landed archive answer of group `key` whose UTC days hold [first, last]."""
    found = []
    for path in folder.glob(f"*_*_{key}.json"):
        low, high, _ = path.name.split("_", 2)
        if low <= first.isoformat() and last.isoformat() <= high:
            found.append(path)
    return max(found, key=lambda path: (path.stat().st_mtime_ns, path.name), default=None)


def forecast_chunks(
    groups: list[Group], first: dt.date, end: dt.date, today: dt.date, landing: Path
) -> list[Chunk]:
    """The days from `first` on, from the forecast API's past days, for every group."""
    past_days = (today - first).days + 1  # + the evening before the Paris day
    forecast_days = 1 if end > today else 0
    if past_days > MAX_PAST_DAYS:
        raise SourceError(
            f"The forecast API serves at most {MAX_PAST_DAYS} past days, not {past_days}: "
            f"lower [sources.open_meteo] archive_delay_days."
        )
    asked_end = today + dt.timedelta(days=max(forecast_days, 1))
    return [
        Chunk(
            endpoint="forecast",
            first=first,
            end=min(end, today + dt.timedelta(days=1)),
            group=(i, len(groups)),
            points=tuple(points),
            key=f"forecast/{key}",
            path=landing / "forecast" / f"{today}_past{past_days}_{key}.json",
            params=(("past_days", str(past_days)), ("forecast_days", str(forecast_days))),
            days=past_days + forecast_days,
            settled=False,
            asked=(f"{today - dt.timedelta(days=past_days)}T00:00", f"{asked_end}T00:00"),
        )
        for i, (points, key) in enumerate(groups)
    ]


def request_params(chunk: Chunk) -> dict[str, str]:
    """The query string of a chunk's request: every point of its group, every variable."""
    return {
        "latitude": ",".join(point["latitude"] for point in chunk.points),
        "longitude": ",".join(point["longitude"] for point in chunk.points),
        "hourly": ",".join(VARIABLES),
        "timezone": "UTC",
        **dict(chunk.params),
    }
