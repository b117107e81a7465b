"""One location's Open-Meteo answer (archive or forecast), keys and order as the real API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tools.standin.generator.weather import OPEN_METEO_UNITS, GridWeather, weather

#: wind_speed_unit: (unit label, factor from km/h, decimals)
WIND_SPEED_UNITS: dict[str, tuple[str, float, int]] = {
    "kmh": ("km/h", 1.0, 1),
    "ms": ("m/s", 1.0 / 3.6, 2),
    "mph": ("mp/h", 1.0 / 1.609344, 1),
    "kn": ("kn", 1.0 / 1.852, 1),
}


def _hourly(
    grid: GridWeather,
    variables: Sequence[str],
    wind_speed_unit: str,
    available_until: date | None,
) -> tuple[dict[str, str], dict[str, list[object]]]:
    """`hourly_units` and `hourly`; hours on days after `available_until` are null."""
    times = grid.hourly["time"]
    unit_label, factor, digits = WIND_SPEED_UNITS[wind_speed_unit]
    units = {"time": "iso8601"}
    hourly: dict[str, list[object]] = {"time": list(times.dt.strftime("%Y-%m-%dT%H:%M"))}
    missing = np.zeros(len(times), dtype=bool)
    if available_until is not None:
        missing = (times >= pd.Timestamp(available_until + timedelta(days=1), tz="UTC")).to_numpy()
    for name in variables:
        values = grid.hourly[name].to_numpy(dtype=float)
        unit = OPEN_METEO_UNITS[name]
        if name == "wind_speed_100m":
            values = np.round(values * factor, digits)
            unit = unit_label
        units[name] = unit
        hourly[name] = [None if gap else float(v) for v, gap in zip(values, missing, strict=True)]
    return units, hourly


def open_meteo_document(
    latitude: float,
    longitude: float,
    start_date: date,
    end_date: date,
    variables: Sequence[str],
    *,
    wind_speed_unit: str = "kmh",
    timezone: str = "GMT",
    available_until: date | None = None,
    generation_ms: float = 0.0,
) -> dict[str, object]:
    """One location's answer for days [start_date, end_date] (times in UTC).

    Hours on days after `available_until` are null, like the archive near real time.
    """
    grid = weather(latitude, longitude, start_date, end_date + timedelta(days=1))
    document: dict[str, object] = {
        "latitude": grid.latitude,
        "longitude": grid.longitude,
        "generationtime_ms": generation_ms,
        "utc_offset_seconds": 0,
        "timezone": timezone,
        "timezone_abbreviation": timezone,
        "elevation": grid.elevation,
    }
    if not variables:
        return document
    units, hourly = _hourly(grid, variables, wind_speed_unit, available_until)
    document["hourly_units"] = units
    document["hourly"] = hourly
    return document
