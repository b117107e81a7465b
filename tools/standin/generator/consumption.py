"""Regional consumption: the planted relation between demand and Tday, on a calendar.

    consumption_mw(r, t) = base_r · trend(t) · level(daytype) · shape_daytype(local hour)
                         + SLOPE_r · max(0, 15 - Tday(r, d)) · heat_shape(local hour)
                         + COOLING_r · max(0, Tday(r, d) - 22) · cool_shape(local hour)
                         + base_r · (1.0 % smooth noise + 0.4 % white noise)
Every shape averages exactly 1 over a day, so a regression of daily means on Tday recovers SLOPE_r.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tools.standin.generator import randomness as rnd
from tools.standin.generator.clock import DAY_S, YEAR_DAYS, LocalTime, bump, epoch, ramp
from tools.standin.generator.regions import (
    BASE_FRANCE_MW,
    BASE_WEIGHT,
    COOLING,
    COOLING_THRESHOLD_C,
    HEATING_THRESHOLD_C,
    N_REGIONS,
    SLOPE,
)


def _normalised(anchors: Sequence[float], damping: float = 1.0) -> np.ndarray:
    """Mean-1 hourly anchors (deviations scaled by `damping`), closed periodically at 24 h."""
    values = np.asarray(anchors, dtype=float)
    values = 1.0 + damping * (values / values.mean() - 1.0)
    return np.append(values, values[0])


# Daily shapes of the base load by day type: workday, Saturday, Sunday or holiday.
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
    return np.asarray(shape[..., index] * (1.0 - frac) + shape[..., index + 1] * frac)


def _month_and_day(local_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dates = local_day.astype("datetime64[D]")
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    return month, day_of_month


def _day_type_and_level(local_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day type (0 workday, 1 Saturday, 2 Sunday or fixed-date holiday) and its demand level."""
    month, day_of_month = _month_and_day(local_day)
    weekday = (local_day + 3) % 7  # Monday = 0
    holiday = np.zeros(len(local_day), dtype=bool)
    for hol_month, hol_day in _HOLIDAYS:
        holiday |= (month == hol_month) & (day_of_month == hol_day)
    daytype = np.where(holiday | (weekday == 6), 2, np.where(weekday == 5, 1, 0))
    level = np.where((daytype == 0) & (weekday == 0), _MONDAY_LEVEL, _LEVEL[daytype])
    return daytype, level


def _trend(epoch_s: np.ndarray, local_day: np.ndarray) -> np.ndarray:
    """-0.6 %/year, the spring 2020 lockdown, the 2022 sobriety step and the August dip."""
    month, day_of_month = _month_and_day(local_day)
    years = (epoch_s - epoch("2013-01-01")) / (YEAR_DAYS * DAY_S)
    return np.asarray(
        (1.0 - 0.006 * years)
        * (1.0 - 0.15 * bump(epoch_s, "2020-03-14", "2020-03-20", "2020-05-01", "2020-06-15"))
        * (1.0 - 0.06 * ramp(epoch_s, "2022-09-15", "2022-11-15"))
        * (1.0 - 0.05 * ((month == 8) & (day_of_month <= 24)))
    )


def consumption(epoch_s: np.ndarray, local: LocalTime, tday: np.ndarray) -> np.ndarray:
    """(12, T) integer MW at the instants, from each region's Tday (12, T)."""
    daytype, level = _day_type_and_level(local.day)
    local_hour = local.hour
    shape = _SHAPES[daytype, :]
    hour_index = np.floor(local_hour).astype(np.int64)
    frac = local_hour - hour_index
    rows = np.arange(len(epoch_s))
    base_shape = shape[rows, hour_index] * (1.0 - frac) + shape[rows, hour_index + 1] * frac
    region_keys = np.arange(N_REGIONS, dtype=np.int64)[:, None]
    noise = 0.010 * rnd.value_noise(rnd.S_CONS, region_keys, epoch_s / 3600.0, 3.0)
    noise = noise + 0.004 * rnd.normal(rnd.S_CONS_WHITE, region_keys, epoch_s // 900)
    base = BASE_FRANCE_MW * BASE_WEIGHT[:, None]
    megawatts = (
        base * (_trend(epoch_s, local.day) * level * base_shape)[None, :]
        + SLOPE[:, None] * np.maximum(0.0, HEATING_THRESHOLD_C - tday)
        * _profile(_HEAT_SHAPE, local_hour)[None, :]
        + COOLING[:, None] * np.maximum(0.0, tday - COOLING_THRESHOLD_C)
        * _profile(_COOL_SHAPE, local_hour)[None, :]
        + base * noise
    )  # fmt: skip
    return np.asarray(np.round(megawatts).astype(np.int64))
