"""Periods as RTE publishes them: Paris civil days and calendar months.

`start_date`/`end_date` are Paris dates, and a Paris day starts at 23:00 UTC in winter, 22:00 UTC
in summer; both sources are asked for whole Paris months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_midnight(day: dt.date) -> dt.datetime:
    """The instant a Paris civil day starts, with its offset (`2021-12-01T00:00:00+01:00`)."""
    return dt.datetime.combine(day, dt.time(), PARIS)


def utc_hour(instant: dt.datetime) -> str:
    """An instant as Open-Meteo spells a UTC hour (`2021-11-30T23:00`)."""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def month_chunks(start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """[first, next) month windows covering [start, end) (calendar days: Paris days for RTE)."""
    first = start.replace(day=1)
    while first < end:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        yield max(first, start), min(following, end)
        first = following


def clip_start(source: str, start: dt.date, what: str, first_day: dt.date) -> dt.date:
    """A start before the first day a dataset holds begins at that day, with a note (asking
    for the days before would fetch nothing, request after request)."""
    if start >= first_day:
        return start
    print(
        f"{source}: note: start_date {start} is before the first day of {what}, {first_day}: "
        f"starting there.",
        flush=True,
    )
    return first_day


def is_settled(chunk_end: dt.date, today: dt.date, refresh_days: int) -> bool:
    """Old months no longer change: once landed they need no new fetch."""
    return chunk_end <= today - dt.timedelta(days=refresh_days)
