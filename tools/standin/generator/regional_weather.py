"""Weather at the seed's weather points, weighted into regions: Tday, wind power and sunshine.

Tday(r, d) is the population-weighted mean, over region r's points, of each point's mean
temperature_2m over the Paris-local day d: exactly what the Open-Meteo stand-in serves for those
points, so a downstream model recomputing it from the served weather finds the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.standin.generator.clock import DAY_S, TimeLike, utc_offsets
from tools.standin.generator.regions import N_REGIONS, POP_SHARE, REGION_CODES, WEATHER_POINTS
from tools.standin.generator.weather import snap_to_grid, weather_block

_POINT_CELLS = np.array([snap_to_grid(p.latitude, p.longitude) for p in WEATHER_POINTS])
#: (regions, points): each region's points with their population weights, rows summing to 1.
POINT_MATRIX = np.zeros((N_REGIONS, len(WEATHER_POINTS)))
for _j, _point in enumerate(WEATHER_POINTS):
    POINT_MATRIX[REGION_CODES.index(_point.region_code), _j] = _point.population_weight
POINT_MATRIX /= POINT_MATRIX.sum(axis=1, keepdims=True)


def _point_weather(first_hour: int, last_hour: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    hours = np.arange(first_hour, last_hour, dtype=np.int64)
    return hours, weather_block(_POINT_CELLS[:, 0], _POINT_CELLS[:, 1], hours)


def _regional_tday(
    hours: np.ndarray, temperature: np.ndarray, first_day: int, n_days: int
) -> np.ndarray:
    """(12, n_days) population-weighted mean of the points' Paris-local daily mean temperature."""
    local_day = (hours * 3600 + utc_offsets(hours * 3600)) // DAY_S - first_day
    keep = (local_day >= 0) & (local_day < n_days)
    counts = np.bincount(local_day[keep], minlength=n_days)
    sums = np.stack(
        [np.bincount(local_day[keep], weights=row[keep], minlength=n_days) for row in temperature]
    )
    point_means = sums / np.maximum(counts, 1)
    return np.asarray(POINT_MATRIX @ point_means)


def daily_temperature(start: TimeLike, end: TimeLike) -> pd.DataFrame:
    """Tday by Paris-local date in [start, end) (dates), one column per region plus 'FR'.

    This is exactly the temperature the planted consumption formula uses.
    """
    first = pd.Timestamp(pd.Timestamp(start).date())
    last = pd.Timestamp(pd.Timestamp(end).date())
    first_day = (first - pd.Timestamp("1970-01-01")).days
    n_days = max(0, (last - first).days)
    hours, block = _point_weather(first_day * 24 - 3, (first_day + n_days) * 24 + 1)
    tday = _regional_tday(hours, block["temperature_2m"], first_day, n_days)
    frame = pd.DataFrame(tday.T, columns=list(REGION_CODES))
    frame.insert(0, "date", pd.date_range(first, periods=n_days, freq="D").date)
    frame["FR"] = tday.T @ POP_SHARE
    return frame.set_index("date")


def wind_power_curve(speed_kmh: np.ndarray) -> np.ndarray:
    """Aggregated farm curve: cut-in ~8 km/h, rated ~45 km/h, storm cut-out above 95 km/h."""
    load = np.clip((speed_kmh - 8.0) / 37.0, 0.0, 1.0) ** 1.6
    return np.where(speed_kmh > 95.0, 0.0, load)


@dataclass(frozen=True)
class RegionalWeather:
    """Per region (12, T) at the instants: Tday, wind capacity factor, radiation (W/m²)."""

    tday: np.ndarray
    wind_cf: np.ndarray
    radiation: np.ndarray


def regional_weather(epoch_s: np.ndarray, local_day: np.ndarray) -> RegionalWeather:
    """The regions' weather at instants; `local_day` is each instant's Paris day number."""
    first_day = int(local_day.min())
    n_days = int(local_day.max()) - first_day + 1
    first_hour = first_day * 24 - 3
    hours, block = _point_weather(first_hour, (first_day + n_days) * 24 + 2)
    tday = _regional_tday(hours, block["temperature_2m"], first_day, n_days)

    # Hourly values interpolated to the instants (radiation is the mean of the preceding hour,
    # so it sits at h - 30 min).
    def at_instants(values: np.ndarray, shift_s: int) -> np.ndarray:
        position = (epoch_s - shift_s) / 3600.0 - first_hour
        index = np.clip(np.floor(position).astype(np.int64), 0, len(hours) - 2)
        frac = position - index
        return np.asarray(values[:, index] * (1.0 - frac) + values[:, index + 1] * frac)

    return RegionalWeather(
        tday=tday[:, local_day - first_day],
        wind_cf=POINT_MATRIX @ wind_power_curve(at_instants(block["wind_speed_100m"], 0)),
        radiation=POINT_MATRIX @ at_instants(block["shortwave_radiation"], -1800),
    )
