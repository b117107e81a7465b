"""The filters every page shares (period, regions, granularity), kept in the URL.

They are drawn once in the sidebar by the router, read from and written back to
`st.query_params`, so a view can be shared by copying its link
(`?start=2024-12-01&end=2025-02-28&regions=FR,11&grain=week`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

GRAINS = {"day": "Day", "week": "Week", "month": "Month"}
NATIONAL = "FR"


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    regions: tuple[str, ...]
    grain: str
    region_names: dict[str, str]

    @property
    def label(self) -> str:
        names = ", ".join(self.region_names.get(code, code) for code in self.regions)
        return f"{names}, {self.start:%d %b %Y} – {self.end:%d %b %Y}"


def _date(text: str | None, default: dt.date, low: dt.date, high: dt.date) -> dt.date:
    try:
        value = dt.date.fromisoformat(text) if text else default
    except ValueError:
        value = default
    return min(max(value, low), high)


def sidebar(region_names: dict[str, str], first: dt.date, last: dt.date) -> Filters:
    """Draw the shared filters from the URL's values, then write the chosen values back."""
    params = st.query_params
    start = _date(params.get("start"), first, first, last)
    end = _date(params.get("end"), last, start, last)
    wanted = [code for code in params.get("regions", NATIONAL).split(",") if code in region_names]
    grain = params.get("grain", "day") if params.get("grain") in GRAINS else "day"

    with st.sidebar:
        st.header("Filters")
        period = st.date_input(
            "Period", value=(start, end), min_value=first, max_value=last, key="filter_period"
        )
        regions = st.multiselect(
            "Regions",
            list(region_names),
            default=wanted or [NATIONAL],
            format_func=region_names.get,
            key="filter_regions",
        )
        grain = st.radio(
            "Granularity",
            list(GRAINS),
            index=list(GRAINS).index(grain),
            format_func=GRAINS.get,
            horizontal=True,
            key="filter_grain",
        )
    if isinstance(period, tuple | list) and len(period) == 2:
        start, end = period
    regions = tuple(regions) or (NATIONAL,)
    params.update(
        start=start.isoformat(), end=end.isoformat(), regions=",".join(regions), grain=grain
    )
    return Filters(start, end, regions, grain, region_names)


def current() -> Filters:
    """The filters the router drew for this run (pages call this, never the widgets)."""
    return st.session_state["filters"]


def resample(
    frame: pd.DataFrame, date_column: str, grain: str, how: dict[str, str]
) -> pd.DataFrame:
    """Daily rows → weekly or monthly rows, per region, with an aggregate per column."""
    if grain == "day":
        return frame
    rule = {"week": "W-MON", "month": "MS"}[grain]
    frame = frame.assign(**{date_column: pd.to_datetime(frame[date_column])})
    grouped = frame.groupby(["region_code", pd.Grouper(key=date_column, freq=rule, label="left")])
    return grouped.agg(how).reset_index()
