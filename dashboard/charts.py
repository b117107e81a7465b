"""How every chart looks and is shown: one palette, one time axis, France in its own panel, and
the chart + CSV + caption pattern. Pages build figures with these so every page looks alike."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard.db import CACHE_TTL_S, query

RTE = "RTE éCO2mix via ODRÉ (Licence Ouverte / Etalab 2.0)"
OPEN_METEO = "Weather data by Open-Meteo.com (CC BY 4.0)"
PIPELINE = "wattlake's own load log (dlt)"

# Figures are cached like the queries they draw (same ttl): a rerun or a new tab with the same
# filters reuses the figure instead of running Plotly Express again. They are cached as shared
# objects (`cache_resource`), not as copies (`cache_data` unpickles a new figure on every run,
# 20-30 ms a figure, which revalidates every property): so a figure is never changed after it
# is returned; `st.plotly_chart` only reads it.
cached = st.cache_resource(ttl=CACHE_TTL_S, show_spinner=False, max_entries=200)

# --- one palette, defined once -------------------------------------------------------------

# every region keeps its colour on every page and in every selection (keyed by region code)
REGION_COLOURS = {
    "FR": "#1f2a44",
    "11": "#1f77b4",
    "24": "#ff7f0e",
    "27": "#2ca02c",
    "28": "#d62728",
    "32": "#9467bd",
    "44": "#8c564b",
    "52": "#e377c2",
    "53": "#17becf",
    "75": "#bcbd22",
    "76": "#7f7f7f",
    "84": "#aec7e8",
    "93": "#ff9896",
}
# the conventional colours of the energy sources (nuclear violet, hydro blue, wind teal,
# solar yellow, fossil brown-grey, bioenergies green)
ENERGY_COLOURS = {
    "Nuclear": "#8e6cbf",
    "Hydro": "#2772b2",
    "Wind": "#4fb8a8",
    "Solar": "#f2c500",
    "Fossil thermal": "#7d6b5d",
    "Bioenergies": "#3f8f3f",
    "Consumption": "#1f2a44",
}
# the two sources of the pipeline, the same on every chart and table
SOURCE_COLOURS = {"eco2mix": "#2772b2", "open_meteo": "#e07b39"}
# temperature colour scales span a physical range, not the data's: +3 °C is never deep red
TEMPERATURE_SCALE = "RdBu_r"
TEMPERATURE_RANGE_C = (-15.0, 35.0)
# the season order of a heating year: autumn, winter, spring, summer
SEASON_MONTHS = [9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8]

FRANCE = "FR"
PANELS = ["France", "Regions"]


def region_colours(label) -> dict[str, str]:
    """Colour of each region's label, for `color_discrete_map` (label: code -> shown name)."""
    return {label(code): colour for code, colour in REGION_COLOURS.items()}


def by_source(**labels: str) -> dict:
    """Plotly Express arguments: each pipeline source in its own colour, and the axis labels
    (`labels`) next to those of the source and the raw table."""
    return {
        "color": "source_name",
        "color_discrete_map": SOURCE_COLOURS,
        "labels": {"table_name": "Raw table", "source_name": "Source", **labels},
    }


def panel_of(region_code: str) -> str:
    """France has a panel of its own: it is about ten times any region."""
    return PANELS[0] if region_code == FRANCE else PANELS[1]


def regional(frame: pd.DataFrame, label) -> pd.DataFrame:
    """The frame with each row's region name and panel ("France" or "Regions")."""
    return frame.assign(
        region=frame["region_code"].map(label), panel=frame["region_code"].map(panel_of)
    )


def regional_days(sql: str, chosen, what: str) -> pd.DataFrame:
    """A daily query's rows for the chosen regions and period, with region names and panels;
    when there are none, a note naming `what` is missing, and the page stops."""
    days = query(sql, (chosen.regions, chosen.start, chosen.end))
    if days.empty:
        nothing_to_show(what)
        st.stop()
    return regional(days, chosen.label)


def panels(frame: pd.DataFrame) -> list[str]:
    """The panels a `regional` frame fills, France first."""
    return [panel for panel in PANELS if panel in set(frame["panel"])]


def by_region(frame: pd.DataFrame, label) -> dict:
    """Plotly Express arguments: one colour per region, France in a panel of its own."""
    return {
        "color": "region",
        "color_discrete_map": region_colours(label),
        "facet_col": "panel",
        "facet_col_spacing": 0.06,
        "category_orders": {"panel": panels(frame)},
    }


def panel_column(frame: pd.DataFrame, region_code: str) -> int:
    """The facet column (1-based) in which `by_region` drew a region's traces."""
    return panels(frame).index(panel_of(region_code)) + 1


def own_axes(figure: go.Figure) -> go.Figure:
    """Each panel its own y axis, and facet titles that read "France", "Regions"."""
    figure.update_yaxes(matches=None, showticklabels=True)
    figure.for_each_annotation(lambda note: note.update(text=note.text.split("=")[-1]))
    return figure


# --- time axes follow the granularity ------------------------------------------------------

DAY_MS = 86_400_000
MAX_TICKS = 12
ISO_MONDAY = "2024-01-01"  # a Monday: week ticks fall on the ISO weeks' first days
PERIOD_LENGTH = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1)}


def time_axis(figure: go.Figure, granularity: str, period_count: int) -> go.Figure:
    """Ticks on whole days, ISO weeks or months (never hours), at most about MAX_TICKS."""
    step = max(1, math.ceil(period_count / MAX_TICKS))
    if granularity == "month":
        figure.update_xaxes(dtick=f"M{step}", tickformat="%b %Y")
    elif granularity == "week":
        figure.update_xaxes(dtick=7 * DAY_MS * step, tick0=ISO_MONDAY, tickformat="W%V %G")
    else:
        figure.update_xaxes(dtick=DAY_MS * step, tickformat="%d %b %Y")
    return figure


def whole_periods(trend: pd.DataFrame, granularity: str, start: date, end: date) -> pd.Series:
    """True for a week or month that lies wholly inside [start, end]."""
    first_day = pd.to_datetime(trend["period_start"])
    last_day = first_day + PERIOD_LENGTH.get(granularity, pd.DateOffset(months=1))
    after_end = pd.Timestamp(end) + pd.Timedelta(days=1)
    return (first_day >= pd.Timestamp(start)) & (last_day <= after_end)


@cached
def trend_chart(
    trend: pd.DataFrame, y: str, chosen, title: str, y_label: str, **express
) -> go.Figure:
    """A line per region over time (France in its own panel), ticks on the granularity, and
    the weeks or months the period holds only in part ringed in grey."""
    trend = regional(trend, chosen.label)
    figure = px.line(
        trend,
        x="period_start",
        y=y,
        markers=True,
        labels={"period_start": chosen.granularity.capitalize(), y: y_label, "region": "Region"},
        title=title,
        **by_region(trend, chosen.label),
        **express,
    )
    own_axes(time_axis(figure, chosen.granularity, trend["period_start"].nunique()))
    partial = trend[~whole_periods(trend, chosen.granularity, chosen.start, chosen.end)]
    if chosen.granularity == "day":
        return figure
    for panel in dict.fromkeys(partial["panel"]):
        rings = partial[partial["panel"] == panel]
        figure.add_trace(
            go.Scatter(
                x=rings["period_start"],
                y=rings[y],
                mode="markers",
                marker={"symbol": "circle-open", "size": 14, "color": "#555", "line": {"width": 2}},
                name=f"partial {chosen.granularity}",
                legendgroup="partial",
                showlegend=panel == partial["panel"].iloc[0],
                hoverinfo="skip",
            ),
            row=1,
            col=panel_column(trend, rings["region_code"].iloc[0]),
        )
    return figure


# --- how figures read ----------------------------------------------------------------------


def timestamp(value: datetime | pd.Timestamp | None) -> str:
    """Every instant is shown the same way: `2024-10-01 00:00 UTC`."""
    if value is None or pd.isna(value):
        return "–"
    return f"{pd.Timestamp(value).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC"


def day(value: date | pd.Timestamp) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def number(value: float, unit: str = "", digits: int = 0) -> str:
    """Every figure is written like the tables: thousands with a comma, fixed decimals."""
    text = "–" if value is None or pd.isna(value) else f"{value:,.{digits}f}"
    return f"{text} {unit}".strip()


def number_column(label: str, digits: int = 0):
    """A table column written like `number`: thousands with a comma, fixed decimals."""
    return st.column_config.NumberColumn(label, format=f"%,.{digits}f")


def months_to(month_count: int, last_month: date) -> str:
    """What a headline covers: "6 months to Mar 2025", "the 12 months to Mar 2025"."""
    if month_count == 1:
        return f"{last_month:%b %Y}"
    article = "the " if month_count == 12 else ""
    return f"{article}{month_count} months to {last_month:%b %Y}"


def mean_over_days(trend: pd.DataFrame, column: str) -> float:
    """The mean of daily values from per-period means, each period weighted by its days."""
    return float((trend[column] * trend["day_count"]).sum() / trend["day_count"].sum())


COVERAGE_COLUMNS = {
    "source_name": "Source",
    "table_name": "Raw table",
    "first_data_at": "First data",
    "last_data_at": "Last data",
    "row_count": "Rows loaded",
}


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """The coverage rows as a reader reads them: UTC timestamps and rows written alike."""
    return pd.DataFrame(
        {
            "source_name": coverage["source_name"],
            "table_name": coverage["table_name"],
            "status": coverage["load_status"],
            "first_data_at": coverage["first_data_at"].map(timestamp),
            "last_data_at": coverage["last_data_at"].map(timestamp),
            "row_count": coverage["row_count"].map(number),
        }
    )


def source_note(unit: str, *sources: str) -> str:
    return f"Unit: {unit}. Source: {'; '.join(sources)}."


def show(figure: go.Figure, data: pd.DataFrame, name: str, unit: str, *sources: str) -> None:
    """The chart, a button to download the data behind it, and a caption with unit and source."""
    st.plotly_chart(figure, width="stretch", key=f"chart_{name}", config={"displaylogo": False})
    download(data, name)
    st.caption(source_note(unit, *sources))


def download(data: pd.DataFrame, name: str) -> None:
    """A button for the data behind a chart, as CSV. The CSV is written when the button is
    clicked (not on every run), and the click does not rerun the page."""
    st.download_button(
        "Download the data (CSV)",
        lambda: data.to_csv(index=False).encode("utf-8"),
        file_name=f"wattlake_{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
    )


def nothing_to_show(what: str) -> None:
    st.info(f"No {what} in this period for these regions: widen the period or add regions.")
