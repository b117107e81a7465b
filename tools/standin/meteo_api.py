"""The Open-Meteo endpoints: `/v1/archive` and `/v1/forecast`, checked as the real API checks.

archive: latitude, longitude (comma lists), start_date, end_date, hourly, timezone (UTC/GMT),
wind_speed_unit; values up to today minus 5 days, null after. forecast: the same, or past_days
(0-92) and forecast_days (0-16, default 7). Errors are Open-Meteo's 400 messages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tools.standin import generator
from tools.standin.errors import RequestError, meteo_error

ARCHIVE_LAG_DAYS = 5
ARCHIVE_FIRST_DAY = date(1940, 1, 1)
MAX_PAST_DAYS = 92
MAX_FORECAST_DAYS = 16
MAX_LOCATIONS = 1000
_BOTH_DATES = "Both 'start_date' and 'end_date' must be set in the url"

Single: TypeAlias = Callable[[str], str | None]  # the last value of a query parameter, if any


@dataclass(frozen=True)
class MeteoRequest:
    """A valid Open-Meteo request: locations, variables, units and days [start, end]."""

    latitudes: list[float]
    longitudes: list[float]
    variables: list[str]
    wind_speed_unit: str
    timezone: str
    start: date
    end: date
    available_until: date | None  # archive: later days are null

    @property
    def cost(self) -> float:
        """Open-Meteo's weighted calls: variables per 10, days per 14, locations."""
        days = (self.end - self.start).days + 1
        return max(len(self.variables) / 10, 1.0) * max(days / 14, 1.0) * len(self.latitudes)

    def documents(self, started: float) -> list[dict[str, object]]:
        """One document per location; `started` is the perf_counter() the request came in."""
        documents = []
        for lat, lon in zip(self.latitudes, self.longitudes, strict=True):
            document = generator.open_meteo_document(
                lat,
                lon,
                self.start,
                self.end,
                self.variables,
                wind_speed_unit=self.wind_speed_unit,
                timezone=self.timezone,
                available_until=self.available_until,
            )
            document["generationtime_ms"] = (time.perf_counter() - started) * 1000.0
            documents.append(document)
        return documents


def _floats(text: str | None, name: str) -> list[float]:
    if text is None or not text.strip():
        return []
    try:
        return [float(part) for part in text.split(",")]
    except ValueError as error:
        raise meteo_error(f"Parameter '{name}' must be a list of numbers") from error


def _locations(single: Single) -> tuple[list[float], list[float]]:
    latitudes = _floats(single("latitude"), "latitude")
    longitudes = _floats(single("longitude"), "longitude")
    pair = "Parameter 'latitude' and 'longitude' must"
    if not latitudes or not longitudes:
        raise meteo_error(f"{pair} not be empty")
    if len(latitudes) != len(longitudes):
        raise meteo_error(f"{pair} have the same number of elements")
    if len(latitudes) > MAX_LOCATIONS:
        raise meteo_error(f"{pair} not exceed {MAX_LOCATIONS} coordinates.")
    for lat in latitudes:
        if not -90.0 <= lat <= 90.0:
            raise meteo_error(f"Latitude must be in range of -90 to 90°. Given: {lat}.")
    for lon in longitudes:
        if not -180.0 <= lon <= 180.0:
            raise meteo_error(f"Longitude must be in range of -180 to 180°. Given: {lon}.")
    return latitudes, longitudes


def _invalid_value(kind: str, value: str, key: str) -> RequestError:
    return meteo_error(f"Cannot initialize {kind} from invalid String value {value} for key {key}")


def _variables(single: Single) -> list[str]:
    variables = [v for v in (single("hourly") or "").split(",") if v]
    for variable in variables:
        if variable not in generator.OPEN_METEO_UNITS:
            raise _invalid_value("SurfaceVariable", variable, "hourly")
    return variables


def _wind_speed_unit(single: Single) -> str:
    unit = single("wind_speed_unit") or single("windspeed_unit") or "kmh"
    if unit not in generator.WIND_SPEED_UNITS:
        raise _invalid_value("WindspeedUnit", unit, "wind_speed_unit")
    return unit


def _timezone(single: Single) -> str:
    tz = single("timezone") or "GMT"
    if tz.upper() not in ("UTC", "GMT"):
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise meteo_error("Invalid timezone") from error
        raise meteo_error(f"The stand-in serves only timezone=UTC or GMT, not '{tz}'; ask for UTC.")
    return tz.upper()


def _date(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise meteo_error("Invalid date format. Make sure to use 'YYYY-MM-DD'")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise meteo_error("Invalid date") from error


def _dates(single: Single, first: date, end_exclusive: date) -> tuple[date, date]:
    """start_date and end_date, both set, in order, within [first, end_exclusive)."""
    start_text, end_text = single("start_date"), single("end_date")
    if start_text is None or end_text is None:
        raise meteo_error(_BOTH_DATES)
    start, end = _date(start_text), _date(end_text)
    if end < start:
        raise meteo_error("End-date must be larger or equals than start-date")
    last = end_exclusive - timedelta(days=1)
    for name, value in (("start_date", start), ("end_date", end)):
        if not first <= value < end_exclusive:
            raise meteo_error(f"Parameter '{name}' is out of allowed range from {first} to {last}")
    return start, end


def _days(text: str | None, default: int, maximum: int, label: str) -> int:
    if text is None:
        return default
    invalid = f"{label} is invalid. Allowed range 0 to {maximum}. Given"
    try:
        value = int(text)
    except ValueError as error:
        raise meteo_error(f"{invalid} {text}.") from error
    if not 0 <= value <= maximum:
        raise meteo_error(f"{invalid} {value}.")
    return value


def _forecast_window(single: Single, today: date) -> tuple[date, date]:
    """Dates if given (never with past_days/forecast_days), else today - past, + forecast."""
    if single("start_date") is None and single("end_date") is None:
        past = _days(single("past_days"), 0, MAX_PAST_DAYS, "Past days")
        forecast = _days(single("forecast_days"), 7, MAX_FORECAST_DAYS, "Forecast days")
        return today - timedelta(days=past), today + timedelta(days=forecast - 1)
    for name in ("past_days", "forecast_days"):
        if single(name) is not None:
            raise meteo_error(
                f"Parameter '{name}' is mutually exclusive with 'start_date' and 'end_date'"
            )
    first = today - timedelta(days=MAX_PAST_DAYS)
    return _dates(single, first, today + timedelta(days=MAX_FORECAST_DAYS))


def read_meteo_request(endpoint: str, params: dict[str, list[str]], today: date) -> MeteoRequest:
    """Check an Open-Meteo request (`archive` or `forecast`) as the real API does."""

    def single(name: str) -> str | None:
        values = params.get(name)
        return values[-1] if values else None

    latitudes, longitudes = _locations(single)
    variables = _variables(single)
    unit = _wind_speed_unit(single)
    tz = _timezone(single)
    available_until: date | None = None
    if endpoint == "archive":
        start, end = _dates(single, ARCHIVE_FIRST_DAY, today + timedelta(days=1))
        available_until = today - timedelta(days=ARCHIVE_LAG_DAYS)
    else:
        start, end = _forecast_window(single, today)
    return MeteoRequest(latitudes, longitudes, variables, unit, tz, start, end, available_until)
