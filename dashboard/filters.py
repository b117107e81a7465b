"""The filters shared by the pages (period, regions, granularity), in the sidebar and in the URL.

Each widget is bound to a query parameter (`bind="query-params"`, key = parameter name), so a
link reproduces the view (`?period=2025-01-01&period=2025-01-31&regions=FR&regions=11`) and the
values follow the reader from page to page. A page asks only for the filters it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard import queries
from dashboard.db import BUILD_COMMANDS, MartsMissing, query

GRANULARITIES = ["day", "week", "month"]
DEFAULT_REGIONS = ["FR"]


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    regions: list[str]
    granularity: str
    region_names: dict[str, str]

    def label(self, region_code: str) -> str:
        return self.region_names.get(region_code, region_code)

    @property
    def period_label(self) -> str:
        return f"{self.start:%Y-%m-%d} → {self.end:%Y-%m-%d}"


def data_period() -> tuple[date, date]:
    """First and last day with consumption in the marts; MartsMissing when there is none."""
    bounds = query(queries.DATE_RANGE)
    first, last = bounds.loc[0, "first_date"], bounds.loc[0, "last_date"]
    if first is None or last is None:
        raise MartsMissing(f"The marts are empty: run {BUILD_COMMANDS}, then reload this page.")
    return first, last


def sidebar(*, period: bool = True, regions: bool = True, granularity: bool = False) -> Filters:
    """Show the filters a page uses and return every filter's value (defaults for the others)."""
    first, last = data_period()
    names = query(queries.REGIONS).set_index("region_code")["region_name"].to_dict()
    start, end = first, last
    chosen_regions = DEFAULT_REGIONS
    chosen_granularity = "week"
    with st.sidebar:
        st.header("Filters")
        if period:
            picked = st.date_input(
                "Period",
                value=(first, last),
                min_value=first,
                max_value=last,
                key="period",
                bind="query-params",
                help=f"The marts cover {first:%Y-%m-%d} to {last:%Y-%m-%d}.",
            )
            # while the second date is being picked, the range has one end only
            start, end = (picked[0], picked[-1]) if len(picked) else (first, last)
        if regions:
            chosen_regions = st.multiselect(
                "Regions",
                list(names),
                default=DEFAULT_REGIONS,
                format_func=names.get,
                key="regions",
                bind="query-params",
                help="France is mainland France as a whole. The link names the regions.",
            )
            if not chosen_regions:
                st.caption("No region chosen: showing France.")
                chosen_regions = DEFAULT_REGIONS
        if granularity:
            chosen_granularity = st.segmented_control(
                "Granularity",
                GRANULARITIES,
                default="week",
                key="granularity",
                bind="query-params",
            )
            chosen_granularity = chosen_granularity or "week"
    return Filters(start, end, chosen_regions, chosen_granularity, names)
