"""The dashboard's pure parts, without a database: reading a link, axes, labels, advice."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, db, filters

FIRST, LAST = date(2024, 10, 2), date(2025, 3, 31)
NAMES = {"FR": "France", "53": "Bretagne", "11": "Île-de-France"}


def read(**params) -> filters.Link:
    values = {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    return filters.read_link(lambda name: values.get(name, []), FIRST, LAST, NAMES)


def test_a_valid_link_is_read_without_notice() -> None:
    link = read(period=["2025-01-01", "2025-01-31"], regions=["France", "Bretagne"])
    assert link.period == (date(2025, 1, 1), date(2025, 1, 31))
    assert link.regions == ["FR", "53"] and link.granularity is None and link.notices == []


def test_region_codes_are_read_like_names() -> None:
    assert read(regions=["FR"]).regions == ["FR"]
    link = read(regions=["53", "France", "bretagne"])
    assert link.regions == ["53", "FR"] and link.notices == []


@pytest.mark.parametrize(
    ("params", "period", "notice"),
    [
        ({"period": "garbage"}, None, "Unreadable period 'garbage' ignored"),
        ({"period": ["2025-01-01", "garbage"]}, None, "Unreadable period '2025-01-01 → garbage'"),
        (
            {"period": ["2024-10-01", "2024-10-07"]},
            (FIRST, date(2024, 10, 7)),
            "Period clamped to the data: 2024-10-02 → 2024-10-07",
        ),
        (
            {"period": ["2025-01-31", "2025-01-01"]},
            (date(2025, 1, 1), date(2025, 1, 31)),
            "Reversed period: swapped to 2025-01-01 → 2025-01-31",
        ),
        ({"period": ["2010-01-01", "2011-01-01"]}, None, "is outside the data"),
        ({"period": ["2010-01-01", "2030-01-01"]}, (FIRST, LAST), "Period clamped to the data"),
    ],
)
def test_every_period_that_is_corrected_or_ignored_says_so(params, period, notice) -> None:
    link = read(**params)
    assert link.period == period
    assert len(link.notices) == 1 and notice in link.notices[0], link.notices


def test_unknown_regions_and_granularity_are_named() -> None:
    link = read(regions=["Atlantis", "Bretagne"], granularity="year")
    assert link.regions == ["53"] and link.granularity is None
    assert link.notices == [
        "Unknown region 'Atlantis' ignored.",
        "Unknown granularity 'year' ignored: day, week or month (showing week).",
    ]
    only_unknown = read(regions=["Atlantis"])
    assert only_unknown.regions is None
    assert only_unknown.notices[-1] == "No known region in the link: showing France."


def test_a_page_is_told_only_about_the_filters_it_uses() -> None:
    link = filters.read_link(
        lambda name: {"granularity": ["year"]}.get(name, []), FIRST, LAST, NAMES, ("period",)
    )
    assert link.notices == []


@pytest.mark.parametrize(
    ("granularity", "periods", "dtick", "tickformat"),
    [
        ("day", 7, charts.DAY_MS, "%d %b %Y"),
        ("day", 1, charts.DAY_MS, "%d %b %Y"),
        ("week", 26, 3 * 7 * charts.DAY_MS, "W%V %G"),
        ("month", 6, "M1", "%b %Y"),
        ("month", 120, "M10", "%b %Y"),
    ],
)
def test_ticks_follow_the_granularity(granularity, periods, dtick, tickformat) -> None:
    axis = charts.time_axis(go.Figure(), granularity, periods).layout.xaxis
    assert axis.dtick == dtick and axis.tickformat == tickformat


def test_partial_weeks_and_months_are_found() -> None:
    trend = pd.DataFrame(
        {"period_start": pd.to_datetime(["2024-09-30", "2024-10-07", "2025-03-31"]).date}
    )
    whole = charts.whole_periods(trend, "week", FIRST, LAST)
    assert list(whole) == [False, True, False]  # Oct 2 is a Wednesday; Mar 31 a Monday
    months = pd.DataFrame({"period_start": pd.to_datetime(["2024-10-01", "2025-03-01"]).date})
    assert list(charts.whole_periods(months, "month", FIRST, LAST)) == [False, True]


def test_headlines_say_what_they_cover() -> None:
    assert charts.months_to(6, date(2025, 3, 1)) == "6 months to Mar 2025"
    assert charts.months_to(12, date(2025, 3, 1)) == "the 12 months to Mar 2025"
    assert charts.months_to(1, date(2025, 3, 1)) == "Mar 2025"


def test_one_colour_per_region_whatever_the_selection() -> None:
    assert len(set(charts.REGION_COLOURS.values())) == len(charts.REGION_COLOURS) == 13
    few = charts.region_colours({"FR": "France", "53": "Bretagne"}.get)
    assert few["France"] == charts.REGION_COLOURS["FR"]
    assert few["Bretagne"] == charts.REGION_COLOURS["53"]
    assert charts.ENERGY_COLOURS["Hydro"].startswith("#2") and "Solar" in charts.ENERGY_COLOURS


def test_timestamps_and_numbers_are_written_alike() -> None:
    assert charts.timestamp(pd.Timestamp("2024-10-01 00:00", tz="UTC")) == "2024-10-01 00:00 UTC"
    assert charts.timestamp(pd.Timestamp("2024-10-01 02:00", tz="Europe/Paris")) == (
        "2024-10-01 00:00 UTC"
    )
    assert charts.number(104832) == "104,832" and charts.number(2291.6, "MW/°C") == "2,292 MW/°C"
    assert charts.number(float("nan"), "GW", 1) == "– GW"


def test_make_db_is_advised_for_the_embedded_server_only() -> None:
    assert "`make db`" in db.how_to_start(dict(db.DEFAULTS))
    own = {**db.DEFAULTS, "PGHOST": "db.example.org", "PGPORT": "5432"}
    advice = db.how_to_start(own)
    assert "make db" not in advice
    assert "db.example.org:5432" in advice and "PGHOST, PGPORT and PGDATABASE" in advice
