"""The filters shared by the pages (period, regions, granularity), in the sidebar and in the URL.

Each widget is bound to a query parameter, so a link reproduces the view and the values follow
the reader from page to page; a link's value that cannot be used is corrected or ignored with a
one-line notice (`read_link`). A page asks only for the filters it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from dashboard import queries
from dashboard.db import BUILD_COMMANDS, MartsMissing, query

GRANULARITIES = ["day", "week", "month"]
DEFAULT_GRANULARITY = "week"
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

    @property
    def day_count(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Link:
    """What a URL asks for, corrected: None where it asks nothing usable; one notice per fix."""

    period: tuple[date, date] | None = None
    regions: list[str] | None = None
    granularity: str | None = None
    notices: list[str] = field(default_factory=list)


def read_period(values: list[str], first: date, last: date, link: Link) -> None:
    """`?period=start&period=end` (ISO dates): reversed ends are swapped, the period is clamped
    to the data, and an unreadable or out-of-data period is ignored, each with a notice."""
    values = [value for value in values if value]
    if not values:
        return
    shown = " → ".join(values)
    try:
        days = [date.fromisoformat(value) for value in values]
    except ValueError:
        link.notices.append(
            f"Unreadable period '{shown}' ignored: write ?period=YYYY-MM-DD&period=YYYY-MM-DD."
        )
        return
    if len(days) > 2:
        link.notices.append(f"Period '{shown}' has {len(days)} dates: the first two are used.")
    start, end = days[0], days[min(1, len(days) - 1)]
    if start > end:
        start, end = end, start
        link.notices.append(f"Reversed period: swapped to {start} → {end}.")
    if end < first or start > last:
        link.notices.append(
            f"Period {start} → {end} is outside the data ({first} → {last}): showing all of it."
        )
        return
    if start < first or end > last:
        start, end = max(start, first), min(end, last)
        link.notices.append(f"Period clamped to the data: {start} → {end}.")
    link.period = (start, end)


def read_regions(values: list[str], names: dict[str, str], link: Link) -> None:
    """`?regions=` by name (`Bretagne`) or code (`53`, `FR`); unknown ones are ignored."""
    by_name = {name.casefold(): code for code, name in names.items()}
    codes: list[str] = []
    for value in (value.strip() for value in values):
        code = value if value in names else by_name.get(value.casefold())
        if code is None:
            if value:
                link.notices.append(f"Unknown region '{value}' ignored.")
        elif code not in codes:
            codes.append(code)
    if codes:
        link.regions = codes
    elif any(values):
        link.notices.append("No known region in the link: showing France.")


def read_granularity(value: str | None, link: Link) -> None:
    if not value:
        return
    if value.strip().lower() in GRANULARITIES:
        link.granularity = value.strip().lower()
    else:
        link.notices.append(
            f"Unknown granularity '{value}' ignored: day, week or month "
            f"(showing {DEFAULT_GRANULARITY})."
        )


def read_link(
    get_all: Callable[[str], list[str]],
    first: date,
    last: date,
    names: dict[str, str],
    used: tuple[str, ...] = ("period", "regions", "granularity"),
) -> Link:
    """The URL's filters that a page uses (`get_all`: st.query_params.get_all), one by one."""
    link = Link()
    if "period" in used:
        read_period(get_all("period"), first, last, link)
    if "regions" in used:
        read_regions(get_all("regions"), names, link)
    if "granularity" in used:
        granularity = get_all("granularity")
        read_granularity(granularity[-1] if granularity else None, link)
    return link


def data_period() -> tuple[date, date]:
    """First and last day with consumption in the marts; MartsMissing when there is none."""
    bounds = query(queries.DATE_RANGE)
    first, last = bounds.loc[0, "first_date"], bounds.loc[0, "last_date"]
    if first is None or last is None:
        raise MartsMissing(f"The marts are empty: run {BUILD_COMMANDS}, then reload this page.")
    return first, last


def _bound(key: str, wanted, link: Link, widget: Callable[[], object]):
    """A widget bound to the URL, holding the link's corrected value (`wanted`) from its first
    run on a page. Streamlit seeds it from the URL itself and silently keeps only the values it
    can read; when that differs from `wanted` (a code among names, a reversed period), the
    corrected value is set through the session state and the page runs once more, notices kept.
    """
    first_run = key not in st.session_state
    fix = st.session_state.pop(f"_fix_{key}", None)
    if fix is not None:
        st.session_state[key] = fix
    elif first_run and wanted is not None:
        st.session_state[key] = wanted
    value = widget()
    if first_run and wanted is not None and _as_list(value) != _as_list(wanted):
        st.session_state[f"_fix_{key}"] = wanted
        st.session_state["_fix_notices"] = link.notices
        st.rerun()
    return value


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _period(first: date, last: date, link: Link) -> tuple[date, date]:
    picked = _bound(
        "period",
        link.period,
        link,
        lambda: st.date_input(
            "Period",
            value=(first, last),
            min_value=first,
            max_value=last,
            key="period",
            bind="query-params",
            help=f"The marts cover {first:%Y-%m-%d} to {last:%Y-%m-%d}.",
        ),
    )
    # while the second date is being picked, the range has one end only; a reversed range from
    # a link is read in date order (read_period says so)
    return (min(picked), max(picked)) if picked else (first, last)


def _regions(names: dict[str, str], link: Link) -> list[str]:
    chosen = _bound(
        "regions",
        link.regions,
        link,
        lambda: st.multiselect(
            "Regions",
            list(names),
            default=DEFAULT_REGIONS,
            format_func=lambda code: names.get(code, code),
            key="regions",
            bind="query-params",
            help="France is mainland France as a whole; it is never added to its regions. A "
            "link names the regions (names or codes).",
        ),
    )
    if not chosen:
        st.caption("No region chosen: showing France.")
    return chosen or DEFAULT_REGIONS


def _granularity(link: Link) -> str:
    chosen = _bound(
        "granularity",
        link.granularity,
        link,
        lambda: st.segmented_control(
            "Granularity",
            GRANULARITIES,
            default=DEFAULT_GRANULARITY,
            key="granularity",
            bind="query-params",
        ),
    )
    return chosen or DEFAULT_GRANULARITY


def sidebar(*, period: bool = True, regions: bool = True, granularity: bool = False) -> Filters:
    """Show the filters a page uses and return every filter's value (defaults for the others)."""
    first, last = data_period()
    names = query(queries.REGIONS).set_index("region_code")["region_name"].to_dict()
    used = tuple(
        name
        for name, shown in (("period", period), ("regions", regions), ("granularity", granularity))
        if shown
    )
    link = read_link(st.query_params.get_all, first, last, names, used)
    start, end = link.period or (first, last)
    chosen_regions = link.regions or DEFAULT_REGIONS
    chosen_granularity = link.granularity or DEFAULT_GRANULARITY
    with st.sidebar:
        st.header("Filters")
        if period:
            start, end = _period(first, last, link)
        if regions:
            chosen_regions = _regions(names, link)
        if granularity:
            chosen_granularity = _granularity(link)
    for notice in st.session_state.pop("_fix_notices", []) or link.notices:
        st.warning(notice, icon=":material/link:")
    return Filters(start, end, chosen_regions, chosen_granularity, names)
