"""Deterministic synthetic data shaped like RTE éCO2mix and Open-Meteo.

Why: the pipeline, the warehouse and the dashboard must be testable without internet, and the
analysis must have a known answer. Every number here is made by code, as a pure function of
(instant, place): the value for a timestamp never depends on the range that was asked for, so
month-by-month generation, any HTTP query and any re-run agree to the last digit.

Randomness is counter-based: a vectorised splitmix64 hash of (stream, place key, time index)
gives uniforms, then normals (Box-Muller). "Value noise" interpolates hashed normals between
knots (every few hours or days) with a smoothstep, which gives smooth, range-independent
random series.

Weather, per 0.25° grid cell (like ERA5), hourly UTC
-----------------------------------------------------
    s(t)   = cos(2π (t - 15 January) / 365.2425)            +1 mid-January, -1 mid-July
    T0     = 14.0 - 0.72 (lat - 46) - 0.2 (lon - 2) + 1.0 [Mediterranean] - 0.0065 elevation
    A      = clip(7.0 + 0.45 (lon - 2), 5, 10)                 seasonal amplitude (east is
                                                               more continental)
    temperature_2m = T0 - A s(t)
                   + D cos(2π (solar hour - 15) / 24)          diurnal, D shrinks with clouds
                   + N(t) c                                    national synoptic anomaly: sum of
                                                               14 sines, periods 2.5-30 days,
                                                               hashed phases, std ≈ 2.6 °C
                   - S(t) c + H(t)                             cold snaps (Dec-Feb) / heat waves
                                                               (Jun-Aug): hashed events of 3-9 °C
                                                               lasting 5-12 days, shared
                                                               nationally, c = continentality
                   + R(t, cell)                                regional value noise (36 h and 5 d
                                                               knots), std ≈ 1.2 °C
    cloud_cover    = 100 · logistic(national + local value noise + winter/north bias - snaps)
    shortwave_radiation = Haurwitz clear sky 1098 sin(h) e^(-0.057/sin h) at the middle of the
                     preceding hour (solar elevation h from declination and hour angle)
                     × (1 - 0.75 (cloud/100)^3.4); 0 at night
    wind_speed_100m = 19 (1 + 0.3 winter) × windiness(coast, north) × lognormal(value noise)
    precipitation  = hashed exponential amounts when cloud_cover > 70 %
    apparent_temperature = Steadman: T + 0.33 e - 0.70 wind_10m - 4 (humidity from clouds)
Values are rounded like the real API (0.1 °C, 0.1 km/h, 1 W/m², 1 %, 0.1 mm); the rounded
values are the ones consumption is computed from.

Consumption, per region r, per instant t (Paris-local day d, local hour x)
--------------------------------------------------------------------------
    Tday(r, d) = Σ_points w_p · mean(temperature_2m of point p over the Paris-local day d)
                 (points and weights from dbt_project/seeds/weather_points.csv, i.e. exactly
                 what the Open-Meteo stand-in serves for those points)
    consumption_mw(r, t) = base_r · trend(t) · level(daytype) · shape_daytype(x)
                         + SLOPE_r · max(0, 15 - Tday(r, d)) · heat_shape(x)
                         + COOLING_r · max(0, Tday(r, d) - 22) · cool_shape(x)
                         + base_r · (1.0 % smooth noise + 0.4 % white noise)
    SLOPE_r   = 2400 MW/°C × population share of r           (PLANTED_SLOPE_MW_PER_C)
    COOLING_r = 400 MW/°C × population share of r
    base_r    = BASE_FRANCE_MW (40 GW) × population share × industry factor (normalised);
                France then averages ≈ 54.6 GW over October-March 2013-2026 (≈ 50.7 GW in the
                mild, sober winter 2024-25) and ≈ 390-430 TWh a year
    shape_*, heat_shape, cool_shape average exactly 1 over a day (24 hourly anchors, linear
    interpolation); level(daytype) is 1.04 on workdays (1.02 Mondays), 0.93 on Saturdays and
    0.88 on Sundays and fixed-date public holidays. trend(t) holds a -0.6 %/year drift, the
    spring 2020 lockdown, the 2022 sobriety step and the August dip; it is flat within a winter.
So a regression of daily mean consumption on Tday over days with Tday < 15 °C recovers
-SLOPE_r (the weekday level only adds noise; add weekday dummies for a tighter estimate). France
is the sum of the 12 regions; its Tday is the population-weighted mean of the regional Tday, so
on days when every region is below 15 °C France's relation is exactly linear with slope
Σ SLOPE_r = 2,400 MW/°C (RTE's figure). Filtering on the national Tday < 15 °C alone keeps
mild days when the south no longer heats, which bends the line: about -2 % over the whole
history, up to -5 % in a single winter.

Production and balance
----------------------
Wind = capacity(t, r) × power curve(wind_speed_100m at the region's points); solar = capacity
× radiation / 1000 × 0.78; nuclear = installed units × seasonal availability (2022 corrosion
crisis, Fessenheim closure, Flamanville 3) minus load following when the residual demand is
very negative; hydro = run-of-river (spring snowmelt) + lakes (follow demand) + pumped storage
turbining; pumping (negative) and batteries absorb surpluses; thermal (gas CCG/TAC/cogeneration,
coal until its phase-out, oil) follows the remaining residual demand. Physical exchanges close
the balance exactly, in integer MW:
    consommation = Σ production + pompage + stockage_batterie + ech_physiques
taux_co2 (national) = (0.986 coal + 0.777 oil + 0.429 gas + 0.494 waste) / Σ production, g/kWh.

Times: `date_heure` is the true instant; `date`/`heure` are Europe/Paris local time and repeat
at the autumn clock change. Nature is 'Données définitives' before 2025-01-01, 'Données
consolidées' after, 'Données temps réel' for the real-time (`-tr`) datasets.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

TimeLike = str | date | datetime | pd.Timestamp

# --------------------------------------------------------------------------------------------
# Reference data (one source of truth: the dbt seeds)
# --------------------------------------------------------------------------------------------

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    population: int


@dataclass(frozen=True)
class WeatherPoint:
    point_id: str
    region_code: str
    name: str
    latitude: float
    longitude: float
    population_weight: float


def _read_seed(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError as error:
        raise RuntimeError(f"Seed file {path} is missing; restore it from git.") from error


REGIONS: tuple[Region, ...] = tuple(
    Region(row["region_code"], row["region_name"], int(row["population"]))
    for row in _read_seed("regions.csv")
)
WEATHER_POINTS: tuple[WeatherPoint, ...] = tuple(
    WeatherPoint(
        row["point_id"],
        row["region_code"],
        row["point_name"],
        float(row["latitude"]),
        float(row["longitude"]),
        float(row["population_weight"]),
    )
    for row in _read_seed("weather_points.csv")
)
REGION_CODES: tuple[str, ...] = tuple(region.code for region in REGIONS)
_N_REGIONS = len(REGIONS)
_POPULATION = np.array([region.population for region in REGIONS], dtype=float)
POPULATION_SHARE: dict[str, float] = {
    code: float(share)
    for code, share in zip(REGION_CODES, _POPULATION / _POPULATION.sum(), strict=True)
}

HEATING_THRESHOLD_C = 15.0
COOLING_THRESHOLD_C = 22.0
FRANCE_SLOPE_MW_PER_C = 2400.0
FRANCE_COOLING_MW_PER_C = 400.0
BASE_FRANCE_MW = 40_000.0

#: Planted winter thermosensitivity by region code, in MW per °C (consumption falls by this
#: much for each °C of Tday below 15 °C). France's slope is their sum.
PLANTED_SLOPE_MW_PER_C: dict[str, float] = {
    code: FRANCE_SLOPE_MW_PER_C * share for code, share in POPULATION_SHARE.items()
}
NATIONAL_SLOPE_MW_PER_C: float = float(sum(PLANTED_SLOPE_MW_PER_C.values()))


def planted_slope_mw_per_c(scope: str) -> float:
    """Planted slope for a region code, or for France ('FR' / 'France')."""
    if scope in ("FR", "France"):
        return NATIONAL_SLOPE_MW_PER_C
    return PLANTED_SLOPE_MW_PER_C[scope]


def _by_region(values: dict[str, float], default: float = 0.0) -> np.ndarray:
    return np.array([values.get(code, default) for code in REGION_CODES], dtype=float)


_INDUSTRY_FACTOR = _by_region(
    {"11": 0.85, "24": 1.0, "27": 1.05, "28": 1.1, "32": 1.15, "44": 1.2, "52": 0.95,
     "53": 0.95, "75": 0.95, "76": 0.9, "84": 1.15, "93": 1.0},
    1.0,
)  # fmt: skip
_BASE_WEIGHT = _POPULATION * _INDUSTRY_FACTOR / (_POPULATION * _INDUSTRY_FACTOR).sum()
_SLOPE = _by_region(PLANTED_SLOPE_MW_PER_C)
_COOLING = FRANCE_COOLING_MW_PER_C * _POPULATION / _POPULATION.sum()

# Installed nuclear capacity (MW) of regions that host plants; the others have none.
_NUCLEAR_MW = _by_region(
    {"24": 11_600, "28": 10_600, "32": 5_460, "44": 10_000, "75": 6_640, "76": 2_620,
     "84": 13_500}
)  # fmt: skip
HAS_NUCLEAR: dict[str, bool] = {
    code: bool(mw > 0) for code, mw in zip(REGION_CODES, _NUCLEAR_MW, strict=True)
}
_THERMAL_SHARE = _by_region(
    {"11": 0.08, "24": 0.02, "27": 0.02, "28": 0.10, "32": 0.16, "44": 0.14, "52": 0.13,
     "53": 0.05, "75": 0.04, "76": 0.03, "84": 0.08, "93": 0.15}
)  # fmt: skip
_HYDRO_SHARE = _by_region(
    {"11": 0.001, "24": 0.004, "27": 0.02, "28": 0.003, "32": 0.001, "44": 0.08, "52": 0.001,
     "53": 0.01, "75": 0.06, "76": 0.17, "84": 0.48, "93": 0.17}
)  # fmt: skip
_PUMPING_SHARE = _by_region({"27": 0.05, "44": 0.2, "76": 0.1, "84": 0.55, "93": 0.1})
_WIND_SHARE = _by_region(
    {"11": 0.004, "24": 0.07, "27": 0.05, "28": 0.05, "32": 0.25, "44": 0.19, "52": 0.06,
     "53": 0.06, "75": 0.08, "76": 0.10, "84": 0.03, "93": 0.006}
)  # fmt: skip
_SOLAR_SHARE = _by_region(
    {"11": 0.01, "24": 0.04, "27": 0.04, "28": 0.02, "32": 0.02, "44": 0.06, "52": 0.05,
     "53": 0.02, "75": 0.25, "76": 0.21, "84": 0.12, "93": 0.16}
)  # fmt: skip
for _share in (_THERMAL_SHARE, _HYDRO_SHARE, _PUMPING_SHARE, _WIND_SHARE, _SOLAR_SHARE):
    _share /= _share.sum()
_POP_SHARE = _POPULATION / _POPULATION.sum()
# Offshore wind farms: region code -> (commissioning start, full power date, MW).
_OFFSHORE = {
    "52": ("2022-09-01", "2022-11-30", 480.0),
    "53": ("2023-09-01", "2024-05-31", 496.0),
    "28": ("2024-03-01", "2024-06-30", 497.0),
}
_OFFSHORE_START = {code: spec[0] for code, spec in _OFFSHORE.items()}
BATTERY_START = "2021-01-01"
DEFINITIVE_UNTIL = "2025-01-01"
NATURE_DEFINITIVE = "Données définitives"
NATURE_CONSOLIDATED = "Données consolidées"
NATURE_REAL_TIME = "Données temps réel"

# --------------------------------------------------------------------------------------------
# Counter-based randomness
# --------------------------------------------------------------------------------------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)


def _u64(value: np.ndarray | int) -> np.ndarray:
    array = np.atleast_1d(np.asarray(value))
    if array.dtype == np.uint64:
        return array
    return array.astype(np.int64).view(np.uint64)


def _hash(*keys: np.ndarray | int) -> np.ndarray:
    """splitmix64 chained over the keys (broadcast): the same keys always give the same bits."""
    state = np.zeros(1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for key in keys:
            x = (state ^ _u64(key)) + _GOLDEN
            x = (x ^ (x >> np.uint64(30))) * _MUL1
            x = (x ^ (x >> np.uint64(27))) * _MUL2
            state = x ^ (x >> np.uint64(31))
    return state


def _uniform(*keys: np.ndarray | int) -> np.ndarray:
    """Uniform in (0, 1)."""
    return ((_hash(*keys) >> np.uint64(11)).astype(np.float64) + 0.5) * (2.0**-53)


def _normal(*keys: np.ndarray | int) -> np.ndarray:
    u1 = _uniform(*keys, 1)
    u2 = _uniform(*keys, 2)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def _value_noise(stream: int, key: np.ndarray | int, t: np.ndarray, step: float) -> np.ndarray:
    """Smooth unit-variance noise: hashed normals on knots every `step` units of t."""
    position = t / step
    knot = np.floor(position).astype(np.int64)
    frac = position - knot
    weight = frac * frac * (3.0 - 2.0 * frac)
    left = _normal(stream, key, knot)
    right = _normal(stream, key, knot + 1)
    return (left * (1.0 - weight) + right * weight) / np.sqrt((1.0 - weight) ** 2 + weight**2)


# Stream identifiers: one per random quantity, so quantities are independent.
(
    _S_SYNOPTIC, _S_SNAP, _S_HEAT, _S_T_LOCAL, _S_T_LOCAL_SLOW, _S_T_YEAR, _S_CLOUD_NAT,
    _S_CLOUD_LOC, _S_WIND_NAT, _S_WIND_LOC, _S_RAIN, _S_ELEV, _S_CONS, _S_CONS_WHITE,
    _S_NUC_NAT, _S_NUC_REG, _S_HYDRO, _S_HYDRO_YEAR, _S_BIO, _S_FORECAST_J1, _S_FORECAST_J,
    _S_BORDER, _S_ORDER, _S_RIVER,
) = range(101, 125)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------------------------

_DAY_S = 86_400
_YEAR_DAYS = 365.2425
_JAN15 = 10_971.0  # days from 1970-01-01 to 2000-01-15
_MAR20 = 10_996.0  # days from 1970-01-01 to 2000-03-20 (equinox)
PARIS = "Europe/Paris"


def to_utc(value: TimeLike) -> pd.Timestamp:
    """Parse a time; naive values are taken as UTC."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert("UTC")


def _epoch(value: TimeLike) -> int:
    return math.floor(to_utc(value).timestamp())


def utc_offsets(epoch_s: np.ndarray, tz: str = PARIS) -> np.ndarray:
    """UTC offset in seconds of each instant in a time zone (DST-aware)."""
    if tz.upper() in ("UTC", "GMT", "Z"):
        return np.zeros(len(epoch_s), dtype=np.int64)
    index = pd.to_datetime(np.asarray(epoch_s, dtype=np.int64), unit="s", utc=True)
    local = index.tz_convert(tz).tz_localize(None).as_unit("s").asi8
    return local - index.tz_convert(None).as_unit("s").asi8


def paris_midnight(day: TimeLike) -> pd.Timestamp:
    """The UTC instant of 00:00 Paris time on a calendar day."""
    return pd.Timestamp(pd.Timestamp(day).date()).tz_localize(PARIS).tz_convert("UTC")


def iter_months(start: TimeLike, end: TimeLike) -> Iterator[tuple[pd.Timestamp, pd.Timestamp]]:
    """Split [start, end) at UTC month boundaries: the generation and caching unit."""
    lo, hi = to_utc(start), to_utc(end)
    cursor = lo
    while cursor < hi:
        next_month = (cursor.tz_localize(None).to_period("M") + 1).to_timestamp().tz_localize("UTC")
        upper = min(next_month, hi)
        yield cursor, upper
        cursor = upper


_HHMM = np.array([f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)], dtype=object)


def _day_strings(days: np.ndarray) -> np.ndarray:
    first = int(days.min()) if len(days) else 0
    last = int(days.max()) if len(days) else 0
    labels = np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]"))
    return labels.astype(object)[days - first]


def _offset_label(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    minutes = abs(int(seconds)) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def iso_instants(epoch_s: np.ndarray, tz: str = "UTC") -> np.ndarray:
    """`2024-10-27T02:00:00+02:00` strings, as the export writes `date_heure`."""
    epoch_s = np.asarray(epoch_s, dtype=np.int64)
    if len(epoch_s) == 0:
        return np.array([], dtype=object)
    offsets = utc_offsets(epoch_s, tz)
    local = epoch_s + offsets
    days = local // _DAY_S
    minutes = (local % _DAY_S) // 60
    unique, inverse = np.unique(offsets, return_inverse=True)
    suffix = np.array([":00" + _offset_label(int(o)) for o in unique], dtype=object)[inverse]
    return _day_strings(days) + "T" + _HHMM[minutes] + suffix


# --------------------------------------------------------------------------------------------
# Weather
# --------------------------------------------------------------------------------------------

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
    jitter = 60.0 * _uniform(_S_ELEV, _cell_key(lat, lon)).reshape(np.shape(lat))
    return np.round(25.0 + bumps + jitter)


def _season(t_days: np.ndarray) -> np.ndarray:
    """+1 on 15 January, -1 mid-July."""
    return np.cos(2.0 * np.pi * (t_days - _JAN15) / _YEAR_DAYS)


def _synoptic(t_days: np.ndarray) -> np.ndarray:
    """National weather-regime anomaly, unit std: 14 sines with hashed periods and phases."""
    k = np.arange(14)
    jitter = 0.9 + 0.2 * _uniform(_S_SYNOPTIC, k, 0)
    periods = np.exp(np.linspace(np.log(2.5), np.log(30.0), 14)) * jitter
    phases = 2.0 * np.pi * _uniform(_S_SYNOPTIC, k, 1)
    amplitudes = periods**0.2
    amplitudes = amplitudes / np.sqrt((amplitudes**2).sum() / 2.0)
    flat = np.ravel(t_days)
    waves = np.sin(2.0 * np.pi * flat[None, :] / periods[:, None] + phases[:, None])
    return (amplitudes @ waves).reshape(np.shape(t_days))


def _events(t_days: np.ndarray, stream: int, winter: bool) -> np.ndarray:
    """Cold snaps (winter) or heat waves (summer): hashed bumps, at most one per 12-day block."""
    block_days = 12.0
    total = np.zeros(np.shape(t_days))
    base_block = np.floor(t_days / block_days).astype(np.int64)
    for shift in (-1, 0, 1):
        block = base_block + shift
        center = block * block_days + 2.0 + (block_days - 4.0) * _uniform(stream, block, 1)
        half_width = 2.5 + 3.5 * _uniform(stream, block, 2)
        depth = 3.0 + 6.0 * _uniform(stream, block, 3)
        season = _season(center)
        if winter:
            probability = 0.5 * np.clip((season - 0.5) / 0.5, 0.0, 1.0)
        else:
            probability = 0.35 * np.clip((-season - 0.6) / 0.4, 0.0, 1.0)
        occurs = _uniform(stream, block, 0) < probability
        x = (t_days - center) / half_width
        shape = np.where(np.abs(x) < 1.0, np.cos(0.5 * np.pi * x) ** 2, 0.0)
        total = total + occurs * depth * shape
    return total


def _weather_block(lat: np.ndarray, lon: np.ndarray, hours: np.ndarray) -> dict[str, np.ndarray]:
    """All variables for grid cells (n,) at UTC hours since epoch (T,): (n, T), rounded."""
    lat = np.asarray(lat, dtype=float)[:, None]
    lon = np.asarray(lon, dtype=float)[:, None]
    cell = _cell_key(lat, lon)
    elevation = _elevation(lat, lon)
    h = np.asarray(hours, dtype=np.int64)[None, :]
    t_days = h / 24.0
    season = _season(t_days)
    winterness = 0.5 * (season + 1.0)
    snaps = _events(t_days, _S_SNAP, winter=True)
    heat = _events(t_days, _S_HEAT, winter=False)

    cloud_z = (
        0.55 * _value_noise(_S_CLOUD_NAT, 0, h, 8.0)
        + 0.75 * _value_noise(_S_CLOUD_LOC, cell, h, 6.0)
        + 0.1
        + 0.45 * winterness
        + 0.08 * (lat - 46.0)
        - 0.25 * (lat < 44.5) * (lon > 3.0)
        - 0.12 * snaps
        - 0.12 * heat
    )
    cloud = np.round(100.0 / (1.0 + np.exp(-2.2 * cloud_z)))

    mediterranean = 1.0 * (lat < 44.5) * (lon > 3.0)
    t0 = 14.0 - 0.72 * (lat - 46.0) - 0.2 * (lon - 2.0) + mediterranean - 0.0065 * elevation
    amplitude = np.clip(7.0 + 0.45 * (lon - 2.0), 5.0, 10.0)
    solar_hour = np.mod(np.mod(h, 24) + lon / 15.0, 24.0)
    diurnal_amplitude = (2.8 + 2.2 * (1.0 - winterness)) * (1.0 - 0.45 * cloud / 100.0)
    diurnal = diurnal_amplitude * np.cos(2.0 * np.pi * (solar_hour - 15.0) / 24.0)
    continentality = np.clip(0.75 + 0.08 * (lon - 2.0) + 0.05 * (lat - 46.0), 0.5, 1.3)
    national = 2.6 * (0.8 + 0.4 * winterness) * _synoptic(t_days) + 0.6 * _value_noise(
        _S_T_YEAR, 0, t_days, 90.0
    )
    regional = 1.0 * _value_noise(_S_T_LOCAL, cell, h, 36.0) + 0.6 * _value_noise(
        _S_T_LOCAL_SLOW, cell, h, 120.0
    )
    temperature = (
        t0
        - amplitude * season
        + diurnal
        + national * (0.85 + 0.15 * continentality)
        - snaps * continentality
        + heat * (1.3 - 0.3 * continentality)
        + regional
    )

    windiness = (
        1.0
        + 0.25 * np.clip((1.0 - lon) / 3.0, 0.0, 1.0)
        + 0.15 * np.clip((lat - 48.0) / 2.5, 0.0, 1.0)
        + 0.15 * (lat < 44.5) * (lon > 4.0)
    )
    wind_z = 0.65 * _value_noise(_S_WIND_NAT, 0, h, 12.0) + 0.55 * _value_noise(
        _S_WIND_LOC, cell, h, 6.0
    )
    wind = 19.0 * (1.0 + 0.3 * winterness) * windiness * np.exp(0.5 * wind_z - 0.15)
    wind = np.round(np.clip(wind * (1.0 - 0.04 * snaps), 0.5, 130.0), 1)

    mid = h - 0.5
    declination = np.radians(23.44) * np.sin(2.0 * np.pi * (mid / 24.0 - _MAR20) / _YEAR_DAYS)
    hour_angle = 2.0 * np.pi * (np.mod(np.mod(mid, 24.0) + lon / 15.0, 24.0) - 12.0) / 24.0
    phi = np.radians(lat)
    sin_elevation = np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(
        hour_angle
    )
    safe = np.maximum(sin_elevation, 1e-6)
    clear_sky = np.where(sin_elevation > 0.0, 1098.0 * safe * np.exp(-0.057 / safe), 0.0)
    radiation = np.round(clear_sky * (1.0 - 0.75 * (cloud / 100.0) ** 3.4))

    wet = np.clip((cloud - 70.0) / 30.0, 0.0, 1.0)
    amount = -np.log(_uniform(_S_RAIN, cell, h, 1)) * (0.3 + 1.2 * wet)
    rain = np.round(np.where(_uniform(_S_RAIN, cell, h, 0) < 0.75 * wet, amount, 0.0), 1)

    humidity = np.clip(45.0 + 0.35 * cloud + 12.0 * winterness - 1.8 * diurnal, 15.0, 100.0)
    vapour = humidity / 100.0 * 6.105 * np.exp(17.27 * temperature / (237.7 + temperature))
    apparent = temperature + 0.33 * vapour - 0.70 * (wind / 3.6 * 0.65) - 4.0

    shape = (lat.shape[0], h.shape[1])
    return {
        "temperature_2m": np.broadcast_to(np.round(temperature, 1), shape),
        "apparent_temperature": np.broadcast_to(np.round(apparent, 1), shape),
        "wind_speed_100m": np.broadcast_to(wind, shape),
        "shortwave_radiation": np.broadcast_to(radiation, shape),
        "cloud_cover": np.broadcast_to(cloud, shape),
        "precipitation": np.broadcast_to(rain, shape),
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
    first = -(-_epoch(start) // 3600)
    last = -(-_epoch(end) // 3600)
    hours = np.arange(first, max(first, last), dtype=np.int64)
    block = _weather_block(np.array([grid_lat]), np.array([grid_lon]), hours)
    frame = pd.DataFrame({"time": pd.to_datetime(hours * 3600, unit="s", utc=True)})
    for name in WEATHER_VARIABLES:
        frame[name] = block[name][0]
    return GridWeather(grid_lat, grid_lon, float(block["elevation"][0]), frame)


# --------------------------------------------------------------------------------------------
# Regional daily temperature (the explanatory variable of the planted relation)
# --------------------------------------------------------------------------------------------

_POINT_CELLS = np.array([snap_to_grid(p.latitude, p.longitude) for p in WEATHER_POINTS])
_POINT_MATRIX = np.zeros((_N_REGIONS, len(WEATHER_POINTS)))
for _j, _point in enumerate(WEATHER_POINTS):
    _POINT_MATRIX[REGION_CODES.index(_point.region_code), _j] = _point.population_weight
_POINT_MATRIX /= _POINT_MATRIX.sum(axis=1, keepdims=True)


def _point_weather(first_hour: int, last_hour: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    hours = np.arange(first_hour, last_hour, dtype=np.int64)
    return hours, _weather_block(_POINT_CELLS[:, 0], _POINT_CELLS[:, 1], hours)


def _regional_tday(
    hours: np.ndarray, temperature: np.ndarray, first_day: int, n_days: int
) -> np.ndarray:
    """(12, n_days) population-weighted mean of the points' Paris-local daily mean temperature."""
    local_day = (hours * 3600 + utc_offsets(hours * 3600)) // _DAY_S - first_day
    keep = (local_day >= 0) & (local_day < n_days)
    counts = np.bincount(local_day[keep], minlength=n_days)
    sums = np.stack(
        [np.bincount(local_day[keep], weights=row[keep], minlength=n_days) for row in temperature]
    )
    point_means = sums / np.maximum(counts, 1)
    return _POINT_MATRIX @ point_means


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
    frame["FR"] = tday.T @ _POP_SHARE
    return frame.set_index("date")


# --------------------------------------------------------------------------------------------
# The power system model
# --------------------------------------------------------------------------------------------


def _normalised(anchors: Sequence[float], damping: float = 1.0) -> np.ndarray:
    """Mean-1 hourly anchors (deviations scaled by `damping`), closed periodically at 24 h."""
    values = np.asarray(anchors, dtype=float)
    values = 1.0 + damping * (values / values.mean() - 1.0)
    return np.append(values, values[0])


_SHAPES = np.stack(
    [
        _normalised([0.93, 0.88, 0.84, 0.81, 0.80, 0.82, 0.90, 1.01, 1.08, 1.10, 1.10, 1.11,
                     1.09, 1.06, 1.04, 1.03, 1.04, 1.08, 1.13, 1.15, 1.10, 1.03, 1.00, 1.02], 0.8),
        _normalised([0.95, 0.90, 0.86, 0.83, 0.81, 0.81, 0.84, 0.90, 0.97, 1.03, 1.07, 1.09,
                     1.08, 1.05, 1.02, 1.00, 1.01, 1.05, 1.11, 1.13, 1.09, 1.03, 1.00, 1.02], 0.8),
        _normalised([0.96, 0.91, 0.87, 0.84, 0.82, 0.81, 0.82, 0.86, 0.93, 1.00, 1.05, 1.09,
                     1.10, 1.05, 1.00, 0.98, 0.99, 1.04, 1.11, 1.14, 1.10, 1.04, 1.01, 1.02], 0.8),
    ]
)  # fmt: skip
_HEAT_SHAPE = _normalised(
    [1.05, 1.00, 1.00, 1.02, 1.05, 1.12, 1.22, 1.25, 1.18, 1.05, 0.95, 0.88,
     0.84, 0.82, 0.82, 0.85, 0.92, 1.02, 1.10, 1.10, 1.05, 1.00, 0.98, 1.02]
)  # fmt: skip
_COOL_SHAPE = _normalised(
    [0.55, 0.50, 0.45, 0.42, 0.40, 0.42, 0.50, 0.65, 0.85, 1.05, 1.25, 1.42,
     1.55, 1.65, 1.70, 1.70, 1.62, 1.50, 1.35, 1.15, 0.95, 0.80, 0.70, 0.60]
)  # fmt: skip
_LEVEL = np.array([1.04, 0.93, 0.88])
_MONDAY_LEVEL = 1.02
_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def _profile(shape: np.ndarray, local_hour: np.ndarray) -> np.ndarray:
    """Periodic linear interpolation of 24 hourly anchors; the daily mean stays exactly 1."""
    index = np.floor(local_hour).astype(np.int64)
    frac = local_hour - index
    return shape[..., index] * (1.0 - frac) + shape[..., index + 1] * frac


def _ramp(epoch_s: np.ndarray, start: str, end: str) -> np.ndarray:
    """0 before `start`, 1 after `end`, linear in between."""
    lo, hi = _epoch(start), _epoch(end)
    return np.clip((epoch_s - lo) / max(hi - lo, 1), 0.0, 1.0)


def _bump(epoch_s: np.ndarray, start: str, full: str, recover: str, end: str) -> np.ndarray:
    return _ramp(epoch_s, start, full) * (1.0 - _ramp(epoch_s, recover, end))


def _capacity(epoch_s: np.ndarray, anchors: dict[str, float]) -> np.ndarray:
    dates = [_epoch(day) for day in anchors]
    return np.interp(epoch_s, dates, list(anchors.values()))


_WIND_CAPACITY = {"2013-01-01": 8_100, "2016-01-01": 10_300, "2019-01-01": 15_100,
                  "2022-01-01": 18_700, "2024-01-01": 21_900, "2027-01-01": 26_500}  # fmt: skip
_SOLAR_CAPACITY = {"2013-01-01": 4_300, "2016-01-01": 6_600, "2019-01-01": 8_900,
                   "2021-01-01": 11_700, "2023-01-01": 16_500, "2025-01-01": 24_000,
                   "2027-01-01": 31_000}  # fmt: skip
_BATTERY_CAPACITY = {"2021-01-01": 250, "2024-01-01": 800, "2027-01-01": 2_000}
_COAL_CAPACITY = {"2013-01-01": 6_300, "2015-06-01": 3_000, "2018-01-01": 3_000,
                  "2021-06-01": 1_800, "2027-01-01": 1_800}  # fmt: skip
_HYDRO_CAPACITY_MW = 25_700.0
_THERMAL_CAPACITY = {"2013-01-01": 24_000, "2018-01-01": 18_500, "2027-01-01": 17_500}
_BIO_CAPACITY = {"2013-01-01": 1_500, "2020-01-01": 2_100, "2027-01-01": 2_400}


def _wind_power_curve(speed_kmh: np.ndarray) -> np.ndarray:
    """Aggregated farm curve: cut-in ~8 km/h, rated ~45 km/h, storm cut-out above 95 km/h."""
    load = np.clip((speed_kmh - 8.0) / 37.0, 0.0, 1.0) ** 1.6
    return np.where(speed_kmh > 95.0, 0.0, load)


def _allocate(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer national totals (T,) over regions by weights (12, T) so the parts add up."""
    total = np.asarray(total, dtype=np.int64)
    sign = np.where(total < 0, -1, 1)
    magnitude = np.abs(total)
    weights = np.broadcast_to(weights, (weights.shape[0], len(total))).astype(float)
    norm = weights.sum(axis=0)
    share = np.divide(weights, norm, out=np.zeros_like(weights), where=norm > 0)
    raw = magnitude * share
    floor = np.floor(raw).astype(np.int64)
    missing = magnitude - floor.sum(axis=0)
    order = np.argsort(-(raw - floor), axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(weights.shape[0])[:, None], axis=0)
    floor += ranks < missing
    return floor * sign


@dataclass
class _Simulation:
    epoch_s: np.ndarray
    regional: dict[str, np.ndarray]  # (12, T) int64
    national: dict[str, np.ndarray]  # (T,) int64 (taux_co2 included)
    local_day: np.ndarray  # (T,) Paris-local day number
    local_minute: np.ndarray  # (T,) minute of the Paris-local day


def _simulate(epoch_s: np.ndarray) -> _Simulation:
    """Everything at the given instants, for all regions (pure function of each instant)."""
    epoch_s = np.asarray(epoch_s, dtype=np.int64)
    n = len(epoch_s)
    offsets = utc_offsets(epoch_s)
    local = epoch_s + offsets
    local_day = local // _DAY_S
    local_minute = (local % _DAY_S) // 60
    local_hour = local_minute / 60.0
    first_day = int(local_day.min())
    n_days = int(local_day.max()) - first_day + 1
    first_hour = first_day * 24 - 3
    hours, block = _point_weather(first_hour, (first_day + n_days) * 24 + 2)
    tday = _regional_tday(hours, block["temperature_2m"], first_day, n_days)[
        :, local_day - first_day
    ]

    # Weather at the instants: linear interpolation of the hourly values (radiation is the
    # mean of the preceding hour, so it sits at h - 30 min).
    def at_instants(values: np.ndarray, shift_s: int) -> np.ndarray:
        position = (epoch_s - shift_s) / 3600.0 - first_hour
        index = np.clip(np.floor(position).astype(np.int64), 0, len(hours) - 2)
        frac = position - index
        return values[:, index] * (1.0 - frac) + values[:, index + 1] * frac

    wind_cf = _POINT_MATRIX @ _wind_power_curve(at_instants(block["wind_speed_100m"], 0))
    radiation = _POINT_MATRIX @ at_instants(block["shortwave_radiation"], -1800)

    # Calendar.
    dates = local_day.astype("datetime64[D]")
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    weekday = (local_day + 3) % 7  # Monday = 0
    holiday = np.zeros(n, dtype=bool)
    for hol_month, hol_day in _HOLIDAYS:
        holiday |= (month == hol_month) & (day_of_month == hol_day)
    daytype = np.where(holiday | (weekday == 6), 2, np.where(weekday == 5, 1, 0))
    level = np.where((daytype == 0) & (weekday == 0), _MONDAY_LEVEL, _LEVEL[daytype])
    years = (epoch_s - _epoch("2013-01-01")) / (_YEAR_DAYS * _DAY_S)
    t_days = epoch_s / _DAY_S
    winterness = 0.5 * (_season(t_days) + 1.0)

    # Consumption (the planted relation).
    trend = (
        (1.0 - 0.006 * years)
        * (1.0 - 0.15 * _bump(epoch_s, "2020-03-14", "2020-03-20", "2020-05-01", "2020-06-15"))
        * (1.0 - 0.06 * _ramp(epoch_s, "2022-09-15", "2022-11-15"))
        * (1.0 - 0.05 * ((month == 8) & (day_of_month <= 24)))
    )
    shape = _SHAPES[daytype, :]
    hour_index = np.floor(local_hour).astype(np.int64)
    frac = local_hour - hour_index
    rows = np.arange(n)
    base_shape = shape[rows, hour_index] * (1.0 - frac) + shape[rows, hour_index + 1] * frac
    region_keys = np.arange(_N_REGIONS, dtype=np.int64)[:, None]
    noise = 0.010 * _value_noise(_S_CONS, region_keys, epoch_s / 3600.0, 3.0)
    noise = noise + 0.004 * _normal(_S_CONS_WHITE, region_keys, epoch_s // 900)
    base = BASE_FRANCE_MW * _BASE_WEIGHT[:, None]
    consumption = (
        base * (trend * level * base_shape)[None, :]
        + _SLOPE[:, None] * np.maximum(0.0, HEATING_THRESHOLD_C - tday)
        * _profile(_HEAT_SHAPE, local_hour)[None, :]
        + _COOLING[:, None] * np.maximum(0.0, tday - COOLING_THRESHOLD_C)
        * _profile(_COOL_SHAPE, local_hour)[None, :]
        + base * noise
    )  # fmt: skip
    consumption_r = np.round(consumption).astype(np.int64)
    consumption_fr = consumption_r.sum(axis=0)

    # Variable renewables, regional first.
    wind_capacity = _capacity(epoch_s, _WIND_CAPACITY)[None, :] * _WIND_SHARE[:, None]
    offshore_capacity = np.zeros((_N_REGIONS, n))
    for code, (start, full, megawatts) in _OFFSHORE.items():
        offshore_capacity[REGION_CODES.index(code)] = megawatts * _ramp(epoch_s, start, full)
    onshore_r = np.round(wind_capacity * wind_cf).astype(np.int64)
    offshore_r = np.round(offshore_capacity * np.minimum(1.0, wind_cf * 1.25)).astype(np.int64)
    solar_capacity = _capacity(epoch_s, _SOLAR_CAPACITY)[None, :] * _SOLAR_SHARE[:, None]
    solar_r = np.round(solar_capacity * radiation / 1000.0 * 0.78).astype(np.int64)
    wind_fr = (onshore_r + offshore_r).sum(axis=0)
    solar_fr = solar_r.sum(axis=0)

    # Bioenergies (national split by type, regional by population).
    bio_capacity = _capacity(epoch_s, _BIO_CAPACITY)
    bio_noise = _value_noise(_S_BIO, 0, t_days, 5.0)
    bio_level = bio_capacity * (0.62 + 0.05 * winterness + 0.02 * bio_noise)
    bio_waste = np.round(0.30 * bio_level).astype(np.int64)
    bio_biomass = np.round(0.38 * bio_level).astype(np.int64)
    bio_biogas = np.round(0.32 * bio_level).astype(np.int64)
    bio_fr = bio_waste + bio_biomass + bio_biogas  # fmt: skip

    # Nuclear availability.
    nuclear_capacity = np.broadcast_to(_NUCLEAR_MW[:, None], (_N_REGIONS, n)).copy()
    nuclear_capacity[REGION_CODES.index("44")] -= 1_800 * _ramp(epoch_s, "2020-02-22", "2020-06-30")
    nuclear_capacity[REGION_CODES.index("28")] += 1_650 * _ramp(epoch_s, "2024-12-21", "2025-06-30")
    availability = (
        0.76 + 0.10 * _season(t_days)
        - 0.22 * _bump(epoch_s, "2021-12-01", "2022-04-01", "2022-12-15", "2023-06-30")
        - 0.07 * _bump(epoch_s, "2020-04-01", "2020-05-15", "2020-08-01", "2020-12-01")
        + 0.03 * _value_noise(_S_NUC_NAT, 0, t_days, 10.0)
    )[None, :] + 0.05 * _value_noise(_S_NUC_REG, region_keys, t_days, 7.0)  # fmt: skip
    nuclear_available = nuclear_capacity * np.clip(availability, 0.3, 0.98)
    nuclear_available_fr = nuclear_available.sum(axis=0)

    # Hydro.
    spring = 0.5 + 0.5 * np.cos(2.0 * np.pi * (t_days - _JAN15 - 120.0) / _YEAR_DAYS)
    hydrology = 1.0 + 0.15 * _value_noise(_S_HYDRO_YEAR, 0, t_days, 180.0)
    river_noise = _value_noise(_S_RIVER, 0, t_days, 4.0)
    run_of_river = (3_600 + 3_000 * spring + 500 * river_noise) * hydrology
    lakes = np.clip(900 + 0.22 * (consumption_fr - 42_000) + 1_200 * winterness, 300, 9_000)
    lakes = lakes * hydrology

    # Residual demand drives the flexible means.
    residual = (
        consumption_fr - nuclear_available_fr - wind_fr - solar_fr - bio_fr - run_of_river - lakes
    )
    step_turbine = np.clip(0.2 * (residual + 2_000), 0.0, 3_500.0)
    pumping = -np.clip(0.3 * (-residual - 8_000), 0.0, 4_500.0)
    battery_capacity = _capacity(epoch_s, _BATTERY_CAPACITY) * (epoch_s >= _epoch(BATTERY_START))
    battery_out = battery_capacity * np.clip(residual / 10_000.0, 0.0, 1.0)
    battery_in = -battery_capacity * np.clip((-residual - 5_000.0) / 10_000.0, 0.0, 1.0)
    modulation = np.clip(0.5 * (-residual - 7_000.0), 0.0, 0.3 * nuclear_available_fr)
    after = residual - step_turbine + modulation

    # Thermal fleet follows what is left.
    coal_capacity = _capacity(epoch_s, _COAL_CAPACITY)
    gas_cogen = 400 + 2_000 * winterness
    gas_ccg = np.clip(0.40 * (after + 9_000), 300.0, 6_800.0)
    coal_baseload = 0.25 * np.maximum(0.0, coal_capacity - 1_800.0)  # before the phase-out
    coal = np.minimum(coal_baseload + np.maximum(0.35 * (after + 3_000), 0.0), coal_capacity)
    gas_tac = np.clip(0.25 * (after - 6_000), 0.0, 1_500.0)
    oil_tac = np.clip(0.10 * (after - 9_000), 0.0, 800.0)
    gas_other = 150 + 100 * winterness
    oil_cogen = 30 + 15 * winterness
    oil_other = 140 + 20 * winterness

    def ints(values: np.ndarray) -> np.ndarray:
        return np.round(values).astype(np.int64)

    national: dict[str, np.ndarray] = {
        "fioul_tac": ints(oil_tac),
        "fioul_cogen": ints(oil_cogen),
        "fioul_autres": ints(oil_other),
        "gaz_tac": ints(gas_tac),
        "gaz_cogen": ints(gas_cogen),
        "gaz_ccg": ints(gas_ccg),
        "gaz_autres": ints(gas_other),
        "charbon": ints(coal),
        "hydraulique_fil_eau_eclusee": ints(run_of_river),
        "hydraulique_lacs": ints(lakes),
        "hydraulique_step_turbinage": ints(step_turbine),
        "bioenergies_dechets": bio_waste,
        "bioenergies_biomasse": bio_biomass,
        "bioenergies_biogaz": bio_biogas,
    }
    national["fioul"] = national["fioul_tac"] + national["fioul_cogen"] + national["fioul_autres"]
    national["gaz"] = (
        national["gaz_tac"] + national["gaz_cogen"] + national["gaz_ccg"] + national["gaz_autres"]
    )
    national["hydraulique"] = (
        national["hydraulique_fil_eau_eclusee"]
        + national["hydraulique_lacs"]
        + national["hydraulique_step_turbinage"]
    )
    thermal_fr = national["fioul"] + national["charbon"] + national["gaz"]

    nuclear_r = np.round(
        nuclear_available * (1.0 - modulation / np.maximum(nuclear_available_fr, 1.0))[None, :]
    ).astype(np.int64)
    regional: dict[str, np.ndarray] = {
        "consommation": consumption_r,
        "thermique": _allocate(thermal_fr, _THERMAL_SHARE[:, None]),
        "nucleaire": nuclear_r,
        "eolien_terrestre": onshore_r,
        "eolien_offshore": offshore_r,
        "solaire": solar_r,
        "hydraulique": _allocate(national["hydraulique"], _HYDRO_SHARE[:, None]),
        "pompage": _allocate(ints(pumping), _PUMPING_SHARE[:, None]),
        "bioenergies": _allocate(bio_fr, _POP_SHARE[:, None]),
        "stockage_batterie": _allocate(ints(battery_in), _POP_SHARE[:, None]),
        "destockage_batterie": _allocate(ints(battery_out), _POP_SHARE[:, None]),
    }
    regional["eolien"] = onshore_r + offshore_r
    regional["ech_physiques"] = regional["consommation"] - (
        regional["thermique"]
        + regional["nucleaire"]
        + regional["eolien"]
        + regional["solaire"]
        + regional["hydraulique"]
        + regional["bioenergies"]
        + regional["destockage_batterie"]
        + regional["pompage"]
        + regional["stockage_batterie"]
    )
    for name in ("nucleaire", "eolien", "eolien_terrestre", "eolien_offshore", "solaire",
                 "pompage", "bioenergies", "stockage_batterie", "destockage_batterie",
                 "ech_physiques"):  # fmt: skip
        national[name] = regional[name].sum(axis=0)
    national["consommation"] = consumption_fr
    production = thermal_fr + national["nucleaire"] + national["eolien"] + national["solaire"]
    production = production + national["hydraulique"] + bio_fr + national["destockage_batterie"]
    emissions = (
        0.986 * national["charbon"]
        + 0.777 * national["fioul"]
        + 0.429 * national["gaz"]
        + 0.494 * bio_waste
    )
    national["taux_co2"] = ints(1000.0 * emissions / np.maximum(production, 1))
    national["prevision_j1"] = (
        ints(
            consumption_fr
            * (1.0 + 0.015 * _value_noise(_S_FORECAST_J1, 0, epoch_s / 3600.0, 6.0))
            / 100.0
        )
        * 100
    )
    national["prevision_j"] = (
        ints(
            consumption_fr
            * (1.0 + 0.007 * _value_noise(_S_FORECAST_J, 0, epoch_s / 3600.0, 3.0))
            / 50.0
        )
        * 50
    )
    # Commercial exchanges per border roughly add up to the physical balance.
    border_weights = np.array([0.18, 0.17, 0.25, 0.20, 0.20])
    border_noise = np.stack(
        [1_200.0 * _value_noise(_S_BORDER, k, epoch_s / 3600.0, 8.0) for k in range(5)]
    )
    border_noise -= border_noise.mean(axis=0)
    borders = ints(border_weights[:, None] * national["ech_physiques"][None, :] + border_noise)
    for name, values in zip(
        ("ech_comm_angleterre", "ech_comm_espagne", "ech_comm_italie", "ech_comm_suisse",
         "ech_comm_allemagne_belgique"),
        borders,
        strict=True,
    ):  # fmt: skip
        national[name] = values

    # Coverage (TCO, % of consumption) and load (TCH, % of capacity) rates per region.
    capacities = {
        "thermique": _capacity(epoch_s, _THERMAL_CAPACITY)[None, :] * _THERMAL_SHARE[:, None],
        "nucleaire": nuclear_capacity,
        "eolien": wind_capacity + offshore_capacity,
        "solaire": solar_capacity,
        "hydraulique": _HYDRO_CAPACITY_MW * _HYDRO_SHARE[:, None] * np.ones((1, n)),
        "bioenergies": bio_capacity[None, :] * _POP_SHARE[:, None],
    }
    safe_consumption = np.maximum(consumption_r, 1)
    for name, capacity in capacities.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            regional[f"tco_{name}"] = np.round(100.0 * regional[name] / safe_consumption, 2)
            regional[f"tch_{name}"] = np.round(
                np.where(capacity > 0, 100.0 * regional[name] / capacity, np.nan), 2
            )
    return _Simulation(epoch_s, regional, national, local_day, local_minute)


# --------------------------------------------------------------------------------------------
# éCO2mix datasets
# --------------------------------------------------------------------------------------------

REGIONAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code_insee_region", "Code INSEE région"),
    ("libelle_region", "Région"),
    ("nature", "Nature"),
    ("date", "Date"),
    ("heure", "Heure"),
    ("date_heure", "Date - Heure"),
    ("consommation", "Consommation (MW)"),
    ("thermique", "Thermique (MW)"),
    ("nucleaire", "Nucléaire (MW)"),
    ("eolien", "Eolien (MW)"),
    ("solaire", "Solaire (MW)"),
    ("hydraulique", "Hydraulique (MW)"),
    ("pompage", "Pompage (MW)"),
    ("bioenergies", "Bioénergies (MW)"),
    ("ech_physiques", "Ech. physiques (MW)"),
    ("stockage_batterie", "Stockage batterie"),
    ("destockage_batterie", "Déstockage batterie"),
    ("eolien_terrestre", "Eolien terrestre"),
    ("eolien_offshore", "Eolien offshore"),
    ("tco_thermique", "TCO Thermique (%)"),
    ("tch_thermique", "TCH Thermique (%)"),
    ("tco_nucleaire", "TCO Nucléaire (%)"),
    ("tch_nucleaire", "TCH Nucléaire (%)"),
    ("tco_eolien", "TCO Eolien (%)"),
    ("tch_eolien", "TCH Eolien (%)"),
    ("tco_solaire", "TCO Solaire (%)"),
    ("tch_solaire", "TCH Solaire (%)"),
    ("tco_hydraulique", "TCO Hydraulique (%)"),
    ("tch_hydraulique", "TCH Hydraulique (%)"),
    ("tco_bioenergies", "TCO Bioénergies (%)"),
    ("tch_bioenergies", "TCH Bioénergies (%)"),
)
NATIONAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("perimetre", "Périmètre"),
    ("nature", "Nature"),
    ("date", "Date"),
    ("heure", "Heure"),
    ("date_heure", "Date - Heure"),
    ("consommation", "Consommation (MW)"),
    ("prevision_j1", "Prévision J-1 (MW)"),
    ("prevision_j", "Prévision J (MW)"),
    ("fioul", "Fioul (MW)"),
    ("charbon", "Charbon (MW)"),
    ("gaz", "Gaz (MW)"),
    ("nucleaire", "Nucléaire (MW)"),
    ("eolien", "Eolien (MW)"),
    ("solaire", "Solaire (MW)"),
    ("hydraulique", "Hydraulique (MW)"),
    ("pompage", "Pompage (MW)"),
    ("bioenergies", "Bioénergies (MW)"),
    ("ech_physiques", "Ech. physiques (MW)"),
    ("taux_co2", "Taux de CO2 (g/kWh)"),
    ("ech_comm_angleterre", "Ech. comm. Angleterre (MW)"),
    ("ech_comm_espagne", "Ech. comm. Espagne (MW)"),
    ("ech_comm_italie", "Ech. comm. Italie (MW)"),
    ("ech_comm_suisse", "Ech. comm. Suisse (MW)"),
    ("ech_comm_allemagne_belgique", "Ech. comm. Allemagne-Belgique (MW)"),
    ("fioul_tac", "Fioul - TAC (MW)"),
    ("fioul_cogen", "Fioul - Cogénération (MW)"),
    ("fioul_autres", "Fioul - Autres (MW)"),
    ("gaz_tac", "Gaz - TAC (MW)"),
    ("gaz_cogen", "Gaz - Cogénération (MW)"),
    ("gaz_ccg", "Gaz - CCG (MW)"),
    ("gaz_autres", "Gaz - Autres (MW)"),
    ("hydraulique_fil_eau_eclusee", "Hydraulique - Fil de l'eau + éclusée (MW)"),
    ("hydraulique_lacs", "Hydraulique - Lacs (MW)"),
    ("hydraulique_step_turbinage", "Hydraulique - STEP turbinage (MW)"),
    ("bioenergies_dechets", "Bioénergies - Déchets (MW)"),
    ("bioenergies_biomasse", "Bioénergies - Biomasse (MW)"),
    ("bioenergies_biogaz", "Bioénergies - Biogaz (MW)"),
    ("stockage_batterie", "Stockage batterie (MW)"),
    ("destockage_batterie", "Déstockage batterie (MW)"),
    ("eolien_terrestre", "Eolien terrestre (MW)"),
    ("eolien_offshore", "Eolien offshore (MW)"),
)


@dataclass(frozen=True)
class DatasetSpec:
    """What distinguishes the four éCO2mix datasets the stand-in serves."""

    name: str
    scope: str  # "regional" | "national"
    real_time: bool
    step_minutes: int
    first_day: str  # first Paris-local day with data
    columns: tuple[tuple[str, str], ...]
    timestamp_label: str


DATASETS: dict[str, DatasetSpec] = {
    "eco2mix-regional-cons-def": DatasetSpec(
        "eco2mix-regional-cons-def", "regional", False, 30, "2013-01-01", REGIONAL_COLUMNS,
        "Date - Heure",
    ),
    "eco2mix-national-cons-def": DatasetSpec(
        "eco2mix-national-cons-def", "national", False, 15, "2012-01-01", NATIONAL_COLUMNS,
        "Date et Heure",
    ),
    "eco2mix-regional-tr": DatasetSpec(
        "eco2mix-regional-tr", "regional", True, 15, "2013-01-01", REGIONAL_COLUMNS,
        "Date - Heure",
    ),
    "eco2mix-national-tr": DatasetSpec(
        "eco2mix-national-tr", "national", True, 15, "2012-01-01", NATIONAL_COLUMNS,
        "Date - Heure",
    ),
}  # fmt: skip


def export_columns(dataset: str, use_labels: bool = False) -> list[str]:
    """Header names of an export, technical (`use_labels=false`) or the portal's labels."""
    spec = DATASETS[dataset]
    if not use_labels:
        return [name for name, _ in spec.columns]
    return [spec.timestamp_label if name == "date_heure" else label for name, label in spec.columns]


def _grid(start: TimeLike, end: TimeLike, step_minutes: int) -> np.ndarray:
    step = step_minutes * 60
    lo, hi = _epoch(start), _epoch(end)
    first = -(-lo // step) * step
    return np.arange(first, max(first, hi), step, dtype=np.int64)


def _nature(epoch_s: np.ndarray, real_time: bool) -> np.ndarray:
    if real_time:
        return np.full(len(epoch_s), NATURE_REAL_TIME, dtype=object)
    definitive = epoch_s < int(paris_midnight(DEFINITIVE_UNTIL).timestamp())
    return np.where(definitive, NATURE_DEFINITIVE, NATURE_CONSOLIDATED).astype(object)


def _int_column(values: np.ndarray, null: np.ndarray | bool = False) -> pd.arrays.IntegerArray:
    values = np.asarray(values, dtype=np.int64).ravel()
    mask = np.broadcast_to(np.asarray(null, dtype=bool), values.shape).ravel().copy()
    return pd.arrays.IntegerArray(values, mask)


def _regional_chunk(start: TimeLike, end: TimeLike, real_time: bool) -> pd.DataFrame:
    epoch_s = _grid(start, end, 15 if real_time else 30)
    columns = [name for name, _ in REGIONAL_COLUMNS]
    if len(epoch_s) == 0:
        return pd.DataFrame({name: [] for name in ["epoch", *columns]})
    sim = _simulate(epoch_s)
    n = len(epoch_s)

    def flat(values: np.ndarray) -> np.ndarray:
        return np.asarray(values).T.ravel()  # time-major, regions in seed order

    data: dict[str, object] = {
        "epoch": np.repeat(epoch_s, _N_REGIONS),
        "code_insee_region": np.tile(np.array(REGION_CODES, dtype=object), n),
        "libelle_region": np.tile(np.array([r.name for r in REGIONS], dtype=object), n),
        "nature": np.repeat(_nature(epoch_s, real_time), _N_REGIONS),
        "date": np.repeat(_day_strings(sim.local_day), _N_REGIONS),
        "heure": np.repeat(_HHMM[sim.local_minute], _N_REGIONS),
        "date_heure": np.repeat(epoch_s, _N_REGIONS),
    }
    no_nuclear = ~np.array([HAS_NUCLEAR[code] for code in REGION_CODES])[:, None]
    no_battery = np.broadcast_to(epoch_s < _epoch(BATTERY_START), (_N_REGIONS, n))
    no_offshore = np.ones((_N_REGIONS, n), dtype=bool)
    for code, start_day in _OFFSHORE_START.items():
        no_offshore[REGION_CODES.index(code)] = epoch_s < _epoch(start_day)
    nulls = {
        "nucleaire": np.broadcast_to(no_nuclear, (_N_REGIONS, n)),
        "stockage_batterie": no_battery,
        "destockage_batterie": no_battery,
        "eolien_offshore": no_offshore,
    }
    for name in columns[6:]:
        values = sim.regional[name]
        if name.startswith(("tco_", "tch_")):
            float_values = flat(values).astype(float)
            if name.endswith("nucleaire"):
                float_values[flat(np.broadcast_to(no_nuclear, (_N_REGIONS, n)))] = np.nan
            data[name] = float_values
        else:
            data[name] = _int_column(flat(values), flat(nulls.get(name, np.zeros((1, 1), bool))))
    return pd.DataFrame(data)


def _national_chunk(start: TimeLike, end: TimeLike, real_time: bool) -> pd.DataFrame:
    epoch_s = _grid(start, end, 15)
    columns = [name for name, _ in NATIONAL_COLUMNS]
    if len(epoch_s) == 0:
        return pd.DataFrame({name: [] for name in ["epoch", *columns]})
    sim = _simulate(epoch_s)
    n = len(epoch_s)
    quarter = (sim.local_minute % 30) != 0
    data: dict[str, object] = {
        "epoch": epoch_s,
        "perimetre": np.full(n, "France", dtype=object),
        "nature": _nature(epoch_s, real_time),
        "date": _day_strings(sim.local_day),
        "heure": _HHMM[sim.local_minute],
        "date_heure": epoch_s,
    }
    for name in columns[5:]:
        if name in ("prevision_j1", "prevision_j"):
            null: np.ndarray | bool = False
        elif name.startswith("ech_comm_"):
            null = quarter
        elif real_time:
            null = False
        else:
            null = quarter  # cons-def: :15/:45 rows carry forecasts only
        if name in ("stockage_batterie", "destockage_batterie"):
            null = null | (epoch_s < _epoch(BATTERY_START))
        if name == "eolien_offshore":
            null = null | (epoch_s < min(_epoch(day) for day in _OFFSHORE_START.values()))
        data[name] = _int_column(sim.national[name], null)
    return pd.DataFrame(data)


def eco2mix_frame(dataset: str, start: TimeLike, end: TimeLike) -> pd.DataFrame:
    """Typed rows of an éCO2mix dataset for instants in [start, end), generated month by month.

    `date_heure` holds epoch seconds (formatting to a time zone happens at export); the extra
    `epoch` column is the same instant, kept for filtering. Availability windows (dataset start,
    publication lag) are the server's business, not the generator's.
    """
    spec = DATASETS[dataset]
    chunk = _regional_chunk if spec.scope == "regional" else _national_chunk
    parts = [chunk(lo, hi, spec.real_time) for lo, hi in iter_months(start, end)]
    if not parts:
        return chunk(start, start, spec.real_time)
    return pd.concat(parts, ignore_index=True)


def eco2mix_regional(start: TimeLike, end: TimeLike, *, real_time: bool = False) -> pd.DataFrame:
    """`eco2mix-regional-cons-def` (or `-tr`) rows for [start, end)."""
    dataset = "eco2mix-regional-tr" if real_time else "eco2mix-regional-cons-def"
    return eco2mix_frame(dataset, start, end)


def eco2mix_national(start: TimeLike, end: TimeLike, *, real_time: bool = False) -> pd.DataFrame:
    """`eco2mix-national-cons-def` (or `-tr`) rows for [start, end)."""
    dataset = "eco2mix-national-tr" if real_time else "eco2mix-national-cons-def"
    return eco2mix_frame(dataset, start, end)


def format_export_rows(
    frame: pd.DataFrame,
    dataset: str,
    *,
    timezone: str = "UTC",
    delimiter: str = ";",
    columns: list[str] | None = None,
) -> str:
    """CSV body (no header) as the ODRÉ export writes it: empty string for null, CRLF.

    `columns` (default: today's fields of the dataset) lets the stand-in write an older era's
    layout (`eras`). Arrow writes it (about 6 times faster than pandas, which matters for the
    2.9 M-row history); pandas takes over when a value would need quoting with the chosen
    delimiter.
    """
    names = export_columns(dataset) if columns is None else columns
    if len(frame) == 0:
        return ""
    out = frame[names].copy()
    out["date_heure"] = iso_instants(frame["date_heure"].to_numpy(dtype=np.int64), timezone)
    try:
        table = pa.Table.from_pandas(out, preserve_index=False)
        sink = io.BytesIO()
        options = pa_csv.WriteOptions(
            include_header=False, delimiter=delimiter, eol="\r\n", quoting_style="none"
        )
        pa_csv.write_csv(table, sink, options)
        return sink.getvalue().decode("utf-8")
    except (pa.ArrowInvalid, ValueError):
        return out.to_csv(
            sep=delimiter, index=False, header=False, na_rep="", lineterminator="\r\n"
        )


def format_export_header(dataset: str, *, use_labels: bool = False, delimiter: str = ";") -> str:
    return delimiter.join(export_columns(dataset, use_labels)) + "\r\n"


def to_export_csv(
    frame: pd.DataFrame,
    dataset: str,
    *,
    timezone: str = "UTC",
    use_labels: bool = False,
    delimiter: str = ";",
    with_bom: bool = False,
) -> str:
    """A whole export (header + rows) as text."""
    bom = "\ufeff" if with_bom else ""
    header = format_export_header(dataset, use_labels=use_labels, delimiter=delimiter)
    return bom + header + format_export_rows(frame, dataset, timezone=timezone, delimiter=delimiter)


# --------------------------------------------------------------------------------------------
# Open-Meteo documents
# --------------------------------------------------------------------------------------------

WIND_SPEED_UNITS: dict[str, tuple[str, float, int]] = {
    "kmh": ("km/h", 1.0, 1),
    "ms": ("m/s", 1.0 / 3.6, 2),
    "mph": ("mp/h", 1.0 / 1.609344, 1),
    "kn": ("kn", 1.0 / 1.852, 1),
}


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
    """One location's answer, keys and order as the real API (times in UTC).

    Hours on days after `available_until` are null, like the archive near real time.
    """
    grid = weather(latitude, longitude, start_date, end_date + timedelta(days=1))
    times = grid.hourly["time"]
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
    document["hourly_units"] = units
    document["hourly"] = hourly
    return document


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def write_dataset(
    dataset: str,
    path: str | Path,
    start: TimeLike,
    end: TimeLike,
    *,
    timezone: str = "UTC",
    use_labels: bool = False,
    delimiter: str = ";",
    with_bom: bool = False,
) -> int:
    """Write a dataset to a file, month by month; returns the number of data rows.

    `dataset` is an éCO2mix dataset name (CSV in the export format) or `open-meteo` (the JSON
    array the archive API returns for the points of weather_points.csv, days [start, end)).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if dataset == "open-meteo":
        first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date() - timedelta(days=1)
        documents = [
            open_meteo_document(
                p.latitude, p.longitude, first, last, WEATHER_VARIABLES, timezone="GMT"
            )
            for p in WEATHER_POINTS
        ]
        target.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
        return sum(len(doc["hourly"]["time"]) for doc in documents)  # type: ignore[index]
    rows = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        if with_bom:
            handle.write("\ufeff")
        handle.write(format_export_header(dataset, use_labels=use_labels, delimiter=delimiter))
        for lo, hi in iter_months(start, end):
            frame = eco2mix_frame(dataset, lo, hi)
            handle.write(format_export_rows(frame, dataset, timezone=timezone, delimiter=delimiter))
            rows += len(frame)
    return rows


def shuffled_order(frame: pd.DataFrame) -> np.ndarray:
    """A deterministic 'unsorted' row order, like the real service without order_by."""
    keys = frame["epoch"].to_numpy(dtype=np.int64)
    if "code_insee_region" in frame:
        keys = keys * 100 + frame["code_insee_region"].astype(int).to_numpy()
    return np.argsort(_hash(_S_ORDER, keys), kind="stable")
