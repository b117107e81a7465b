"""Time for the generator: instants as epoch seconds, Paris local time, months and seasons.

Every generated value is a pure function of its instant, so these helpers work on arrays of
epoch seconds (UTC); Paris local time is what RTE's `date` and `heure` columns show.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

import numpy as np
import pandas as pd

TimeLike: TypeAlias = str | date | datetime | pd.Timestamp

DAY_S = 86_400
YEAR_DAYS = 365.2425
JAN15 = 10_971.0  # days from 1970-01-01 to 2000-01-15
MAR20 = 10_996.0  # days from 1970-01-01 to 2000-03-20 (equinox)
PARIS = "Europe/Paris"
HHMM = np.array([f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)], dtype=object)


def to_utc(value: TimeLike) -> pd.Timestamp:
    """Parse a time; naive values are taken as UTC."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert("UTC")


def epoch(value: TimeLike) -> int:
    """Epoch seconds of a time (naive: UTC), rounded down."""
    seconds: float = to_utc(value).timestamp()
    return math.floor(seconds)


def utc_offsets(epoch_s: np.ndarray, tz: str = PARIS) -> np.ndarray:
    """UTC offset in seconds of each instant in a time zone (DST-aware)."""
    if tz.upper() in ("UTC", "GMT", "Z"):
        return np.zeros(len(epoch_s), dtype=np.int64)
    index = pd.to_datetime(np.asarray(epoch_s, dtype=np.int64), unit="s", utc=True)
    local = index.tz_convert(tz).tz_localize(None).as_unit("s").asi8
    return np.asarray(local - index.tz_convert(None).as_unit("s").asi8)


@dataclass(frozen=True)
class LocalTime:
    """Paris local time of instants: day number since 1970-01-01 and minute of the day."""

    day: np.ndarray
    minute: np.ndarray

    @property
    def hour(self) -> np.ndarray:
        """Fractional local hour (0 <= hour < 24)."""
        return self.minute / 60.0


def paris_local(epoch_s: np.ndarray) -> LocalTime:
    local = epoch_s + utc_offsets(epoch_s)
    return LocalTime(local // DAY_S, (local % DAY_S) // 60)


def paris_midnight(day: TimeLike) -> pd.Timestamp:
    """The UTC instant of 00:00 Paris time on a calendar day."""
    return pd.Timestamp(pd.Timestamp(day).date()).tz_localize(PARIS).tz_convert("UTC")


def next_month(stamp: pd.Timestamp) -> pd.Timestamp:
    """The first instant (UTC) of the UTC month after `stamp`'s."""
    return (stamp.tz_localize(None).to_period("M") + 1).to_timestamp().tz_localize("UTC")


def iter_months(start: TimeLike, end: TimeLike) -> Iterator[tuple[pd.Timestamp, pd.Timestamp]]:
    """Split [start, end) at UTC month boundaries: the generation and caching unit."""
    lo, hi = to_utc(start), to_utc(end)
    cursor = lo
    while cursor < hi:
        upper = min(next_month(cursor), hi)
        yield cursor, upper
        cursor = upper


def day_strings(days: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DD` of day numbers since 1970-01-01."""
    first = int(days.min()) if len(days) else 0
    last = int(days.max()) if len(days) else 0
    labels = np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]"))
    return np.asarray(labels.astype(object)[days - first])


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
    days = local // DAY_S
    minutes = (local % DAY_S) // 60
    unique, inverse = np.unique(offsets, return_inverse=True)
    suffix = np.array([":00" + _offset_label(int(o)) for o in unique], dtype=object)[inverse]
    return np.asarray(day_strings(days) + "T" + HHMM[minutes] + suffix)


def season(t_days: np.ndarray) -> np.ndarray:
    """+1 on 15 January, -1 mid-July (t in days since 1970-01-01)."""
    return np.asarray(np.cos(2.0 * np.pi * (t_days - JAN15) / YEAR_DAYS))


def ramp(epoch_s: np.ndarray, start: str, end: str) -> np.ndarray:
    """0 before `start`, 1 after `end`, linear in between."""
    lo, hi = epoch(start), epoch(end)
    return np.clip((epoch_s - lo) / max(hi - lo, 1), 0.0, 1.0)


def bump(epoch_s: np.ndarray, start: str, full: str, recover: str, end: str) -> np.ndarray:
    """0, ramping to 1 between `start` and `full`, back to 0 between `recover` and `end`."""
    return ramp(epoch_s, start, full) * (1.0 - ramp(epoch_s, recover, end))


def between_dates(epoch_s: np.ndarray, anchors: Mapping[str, float]) -> np.ndarray:
    """Linear interpolation of values given on dates (flat before the first, after the last)."""
    dates = [epoch(day) for day in anchors]
    return np.asarray(np.interp(epoch_s, dates, list(anchors.values())))
