"""Hourly weather per 0.25° grid cell (like ERA5), the variables Open-Meteo serves.

Each hour's value is a pure function of (cell, hour): a seasonal climate by latitude, longitude
and elevation, a national synoptic anomaly, cold snaps and heat waves, regional noise; the
formulas are in docs/standin.md. Values are rounded like the real API (0.1 °C, 0.1 km/h,
1 W/m², 1 %, 0.1 mm), and the rounded values are the ones consumption is computed from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.standin.generator import randomness as rnd
from tools.standin.generator.clock import MAR20, YEAR_DAYS, TimeLike, epoch, season

OPEN_METEO_UNITS: dict[str, str] = {
    "temperature_2m": "°C",
    "apparent_temperature": "°C",
    "wind_speed_100m": "km/h",
    "shortwave_radiation": "W/m²",
    "cloud_cover": "%",
    "precipitation": "mm",
}
WEATHER_VARIABLES: tuple[str, ...] = tuple(OPEN_METEO_UNITS)
GRID_STEP_DEG = 0.25


def snap_to_grid(latitude: float, longitude: float) -> tuple[float, float]:
    """Nearest 0.25° grid cell, like the ERA5 cells Open-Meteo answers with."""
    return (
        round(latitude / GRID_STEP_DEG) * GRID_STEP_DEG,
        round(longitude / GRID_STEP_DEG) * GRID_STEP_DEG,
    )


def _cell_key(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return (np.round(lat * 4).astype(np.int64) + 1000) * 10_000 + (
        np.round(lon * 4).astype(np.int64) + 2000
    )


def _elevation(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Smooth relief (Alps, Pyrenees, Massif Central, Vosges-Jura) plus a hashed jitter."""
    bumps = (
        1800 * np.exp(-(((lat - 45.8) / 0.6) ** 2 + ((lon - 6.8) / 0.6) ** 2))
        + 1400 * np.exp(-(((lat - 42.7) / 0.35) ** 2 + ((lon - 0.8) / 1.5) ** 2))
        + 800 * np.exp(-(((lat - 45.4) / 0.9) ** 2 + ((lon - 2.9) / 0.9) ** 2))
        + 500 * np.exp(-(((lat - 47.9) / 0.5) ** 2 + ((lon - 6.9) / 0.5) ** 2))
    )
    jitter = 60.0 * rnd.uniform(rnd.S_ELEV, _cell_key(lat, lon)).reshape(np.shape(lat))
    return np.asarray(np.round(25.0 + bumps + jitter))


def _synoptic(t_days: np.ndarray) -> np.ndarray:
    """National weather-regime anomaly, unit std: 14 sines with hashed periods and phases."""
    k = np.arange(14)
    jitter = 0.9 + 0.2 * rnd.uniform(rnd.S_SYNOPTIC, k, 0)
    periods = np.exp(np.linspace(np.log(2.5), np.log(30.0), 14)) * jitter
    phases = 2.0 * np.pi * rnd.uniform(rnd.S_SYNOPTIC, k, 1)
    amplitudes = periods**0.2
    amplitudes = amplitudes / np.sqrt((amplitudes**2).sum() / 2.0)
    flat = np.ravel(t_days)
    waves = np.sin(2.0 * np.pi * flat[None, :] / periods[:, None] + phases[:, None])
    return np.asarray((amplitudes @ waves).reshape(np.shape(t_days)))


def _events(t_days: np.ndarray, stream: int, winter: bool) -> np.ndarray:
    """Cold snaps (winter) or heat waves (summer): hashed bumps, at most one per 12-day block."""
    block_days = 12.0
    total = np.zeros(np.shape(t_days))
    base_block = np.floor(t_days / block_days).astype(np.int64)
    for shift in (-1, 0, 1):
        block = base_block + shift
        center = block * block_days + 2.0 + (block_days - 4.0) * rnd.uniform(stream, block, 1)
        half_width = 2.5 + 3.5 * rnd.uniform(stream, block, 2)
        depth = 3.0 + 6.0 * rnd.uniform(stream, block, 3)
        center_season = season(center)
        if winter:
            probability = 0.5 * np.clip((center_season - 0.5) / 0.5, 0.0, 1.0)
        else:
            probability = 0.35 * np.clip((-center_season - 0.6) / 0.4, 0.0, 1.0)
        occurs = rnd.uniform(stream, block, 0) < probability
        x = (t_days - center) / half_width
        shape = np.where(np.abs(x) < 1.0, np.cos(0.5 * np.pi * x) ** 2, 0.0)
        total = total + occurs * depth * shape
    return total


@dataclass(frozen=True)
class _Cells:
    """Grid cells as a column (n, 1), hours as a row (1, T), and the terms they share."""

    lat: np.ndarray
    lon: np.ndarray
    cell: np.ndarray
    h: np.ndarray
    t_days: np.ndarray
    season: np.ndarray
    winterness: np.ndarray  # 1 mid-January, 0 mid-July
    snaps: np.ndarray
    heat: np.ndarray


def _cells(lat: np.ndarray, lon: np.ndarray, hours: np.ndarray) -> _Cells:
    lat = np.asarray(lat, dtype=float)[:, None]
    lon = np.asarray(lon, dtype=float)[:, None]
    h = np.asarray(hours, dtype=np.int64)[None, :]
    t_days = h / 24.0
    cell_season = season(t_days)
    return _Cells(
        lat=lat,
        lon=lon,
        cell=_cell_key(lat, lon),
        h=h,
        t_days=t_days,
        season=cell_season,
        winterness=0.5 * (cell_season + 1.0),
        snaps=_events(t_days, rnd.S_SNAP, winter=True),
        heat=_events(t_days, rnd.S_HEAT, winter=False),
    )


def _cloud_cover(c: _Cells) -> np.ndarray:
    cloud_z = (
        0.55 * rnd.value_noise(rnd.S_CLOUD_NAT, 0, c.h, 8.0)
        + 0.75 * rnd.value_noise(rnd.S_CLOUD_LOC, c.cell, c.h, 6.0)
        + 0.1
        + 0.45 * c.winterness
        + 0.08 * (c.lat - 46.0)
        - 0.25 * (c.lat < 44.5) * (c.lon > 3.0)
        - 0.12 * c.snaps
        - 0.12 * c.heat
    )
    return np.asarray(np.round(100.0 / (1.0 + np.exp(-2.2 * cloud_z))))


def _diurnal(c: _Cells, cloud: np.ndarray) -> np.ndarray:
    """Daily cycle of temperature, peaking at 15:00 solar time, smaller under clouds."""
    solar_hour = np.mod(np.mod(c.h, 24) + c.lon / 15.0, 24.0)
    amplitude = (2.8 + 2.2 * (1.0 - c.winterness)) * (1.0 - 0.45 * cloud / 100.0)
    return np.asarray(amplitude * np.cos(2.0 * np.pi * (solar_hour - 15.0) / 24.0))


def _temperature(c: _Cells, elevation: np.ndarray, diurnal: np.ndarray) -> np.ndarray:
    lat, lon = c.lat, c.lon
    mediterranean = 1.0 * (lat < 44.5) * (lon > 3.0)
    t0 = 14.0 - 0.72 * (lat - 46.0) - 0.2 * (lon - 2.0) + mediterranean - 0.0065 * elevation
    amplitude = np.clip(7.0 + 0.45 * (lon - 2.0), 5.0, 10.0)
    continentality = np.clip(0.75 + 0.08 * (lon - 2.0) + 0.05 * (lat - 46.0), 0.5, 1.3)
    national = 2.6 * (0.8 + 0.4 * c.winterness) * _synoptic(c.t_days) + 0.6 * rnd.value_noise(
        rnd.S_T_YEAR, 0, c.t_days, 90.0
    )
    regional = 1.0 * rnd.value_noise(rnd.S_T_LOCAL, c.cell, c.h, 36.0) + 0.6 * rnd.value_noise(
        rnd.S_T_LOCAL_SLOW, c.cell, c.h, 120.0
    )
    return np.asarray(
        t0
        - amplitude * c.season
        + diurnal
        + national * (0.85 + 0.15 * continentality)
        - c.snaps * continentality
        + c.heat * (1.3 - 0.3 * continentality)
        + regional
    )


def _wind_speed(c: _Cells) -> np.ndarray:
    windiness = (
        1.0
        + 0.25 * np.clip((1.0 - c.lon) / 3.0, 0.0, 1.0)
        + 0.15 * np.clip((c.lat - 48.0) / 2.5, 0.0, 1.0)
        + 0.15 * (c.lat < 44.5) * (c.lon > 4.0)
    )
    wind_z = 0.65 * rnd.value_noise(rnd.S_WIND_NAT, 0, c.h, 12.0) + 0.55 * rnd.value_noise(
        rnd.S_WIND_LOC, c.cell, c.h, 6.0
    )
    wind = 19.0 * (1.0 + 0.3 * c.winterness) * windiness * np.exp(0.5 * wind_z - 0.15)
    return np.round(np.clip(wind * (1.0 - 0.04 * c.snaps), 0.5, 130.0), 1)


def _radiation(c: _Cells, cloud: np.ndarray) -> np.ndarray:
    """Haurwitz clear sky at the middle of the preceding hour, dimmed by clouds; 0 at night."""
    mid = c.h - 0.5
    declination = np.radians(23.44) * np.sin(2.0 * np.pi * (mid / 24.0 - MAR20) / YEAR_DAYS)
    hour_angle = 2.0 * np.pi * (np.mod(np.mod(mid, 24.0) + c.lon / 15.0, 24.0) - 12.0) / 24.0
    phi = np.radians(c.lat)
    sin_elevation = np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(
        hour_angle
    )
    safe = np.maximum(sin_elevation, 1e-6)
    clear_sky = np.where(sin_elevation > 0.0, 1098.0 * safe * np.exp(-0.057 / safe), 0.0)
    return np.asarray(np.round(clear_sky * (1.0 - 0.75 * (cloud / 100.0) ** 3.4)))


def _precipitation(c: _Cells, cloud: np.ndarray) -> np.ndarray:
    wet = np.clip((cloud - 70.0) / 30.0, 0.0, 1.0)
    amount = -np.log(rnd.uniform(rnd.S_RAIN, c.cell, c.h, 1)) * (0.3 + 1.2 * wet)
    return np.round(np.where(rnd.uniform(rnd.S_RAIN, c.cell, c.h, 0) < 0.75 * wet, amount, 0.0), 1)


def _apparent_temperature(
    c: _Cells, temperature: np.ndarray, cloud: np.ndarray, diurnal: np.ndarray, wind: np.ndarray
) -> np.ndarray:
    """Steadman: T + 0.33 e - 0.70 wind_10m - 4, with humidity guessed from the clouds."""
    humidity = np.clip(45.0 + 0.35 * cloud + 12.0 * c.winterness - 1.8 * diurnal, 15.0, 100.0)
    vapour = humidity / 100.0 * 6.105 * np.exp(17.27 * temperature / (237.7 + temperature))
    return np.asarray(temperature + 0.33 * vapour - 0.70 * (wind / 3.6 * 0.65) - 4.0)


def weather_block(lat: np.ndarray, lon: np.ndarray, hours: np.ndarray) -> dict[str, np.ndarray]:
    """All variables for grid cells (n,) at UTC hours since epoch (T,): (n, T), rounded."""
    c = _cells(lat, lon, hours)
    elevation = _elevation(c.lat, c.lon)
    cloud = _cloud_cover(c)
    diurnal = _diurnal(c, cloud)
    temperature = _temperature(c, elevation, diurnal)
    wind = _wind_speed(c)
    apparent = _apparent_temperature(c, temperature, cloud, diurnal, wind)
    shape = (c.lat.shape[0], c.h.shape[1])
    return {
        "temperature_2m": np.broadcast_to(np.round(temperature, 1), shape),
        "apparent_temperature": np.broadcast_to(np.round(apparent, 1), shape),
        "wind_speed_100m": np.broadcast_to(wind, shape),
        "shortwave_radiation": np.broadcast_to(_radiation(c, cloud), shape),
        "cloud_cover": np.broadcast_to(cloud, shape),
        "precipitation": np.broadcast_to(_precipitation(c, cloud), shape),
        "elevation": elevation[:, 0],
    }


@dataclass(frozen=True)
class GridWeather:
    """One grid cell's hourly series: the cell's coordinates, its elevation and the data."""

    latitude: float
    longitude: float
    elevation: float
    hourly: pd.DataFrame  # columns: time (UTC) + WEATHER_VARIABLES


def weather(latitude: float, longitude: float, start: TimeLike, end: TimeLike) -> GridWeather:
    """Hourly weather of the grid cell containing (latitude, longitude), for [start, end).

    Naive times are UTC. Each hour's value is a pure function of (cell, hour).
    """
    grid_lat, grid_lon = snap_to_grid(latitude, longitude)
    first = -(-epoch(start) // 3600)
    last = -(-epoch(end) // 3600)
    hours = np.arange(first, max(first, last), dtype=np.int64)
    block = weather_block(np.array([grid_lat]), np.array([grid_lon]), hours)
    frame = pd.DataFrame({"time": pd.to_datetime(hours * 3600, unit="s", utc=True)})
    for name in WEATHER_VARIABLES:
        frame[name] = block[name][0]
    return GridWeather(grid_lat, grid_lon, float(block["elevation"][0]), frame)
