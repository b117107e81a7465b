"""What produces the electricity, and how much CO2 each kWh carries, by hour and month."""

import calendar

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dashboard import charts, filters, queries
from dashboard.db import query

SOURCES = {
    "nuclear_gwh": "Nuclear",
    "hydro_gwh": "Hydro",
    "wind_gwh": "Wind",
    "solar_gwh": "Solar",
    "bioenergy_gwh": "Bioenergies",
    "thermal_gwh": "Fossil thermal",
}
PANEL_HEIGHT = 260


def region_traces(region, code: str, name: str, first: bool) -> list[go.Bar | go.Scatter]:
    """One region's bars, a source each, and its consumption line."""
    bars: list[go.Bar | go.Scatter] = [
        go.Bar(
            x=region["month"],
            y=region[column],
            name=source,
            legendgroup=source,
            showlegend=first,
            marker_color=charts.ENERGY_COLOURS[source],
            meta=code,
            hovertemplate=f"{source}: %{{y:,.0f}} GWh<extra>{name}</extra>",
        )
        for column, source in SOURCES.items()
    ]
    consumption = go.Scatter(
        x=region["month"],
        y=region["consumption_gwh"],
        name="Consumption",
        legendgroup="Consumption",
        showlegend=first,
        mode="lines+markers",
        meta=code,
        line={"color": charts.ENERGY_COLOURS["Consumption"], "width": 2},
        hovertemplate="Consumption: %{y:,.0f} GWh<extra></extra>",
    )
    return [*bars, consumption]


@charts.cached
def production_by_source(mix, chosen) -> go.Figure:
    """One panel per region, each on its own scale: France is the sum of its regions, so the
    two are never stacked together."""
    shown = [code for code in chosen.regions if code in set(mix["region_code"])]
    mix = mix.assign(
        month=[
            f"{month:%b %Y}" + ("" if complete else " (partial)")
            for month, complete in zip(
                mix["month_start_date"], mix["is_complete_month"], strict=True
            )
        ]
    )
    figure = make_subplots(
        rows=len(shown),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.3 / len(shown),
        subplot_titles=[chosen.label(code) for code in shown],
    )
    for row, code in enumerate(shown, start=1):
        region = mix[mix["region_code"] == code]
        for trace in region_traces(region, code, chosen.label(code), first=row == 1):
            figure.add_trace(trace, row=row, col=1)
    figure.update_layout(
        barmode="stack",
        height=120 + PANEL_HEIGHT * len(shown),
        title="Production by source per month, "
        f"{mix['month_start_date'].min():%b %Y} – {mix['month_start_date'].max():%b %Y}",
        legend_title_text="Source",
    )
    figure.update_yaxes(title_text="GWh", rangemode="tozero")
    figure.update_xaxes(type="category")
    return figure


@charts.cached
def intensity_by_hour_and_month(carbon) -> go.Figure:
    """Hours across, months down in season order (autumn, winter, spring, summer)."""
    months = [month for month in charts.SEASON_MONTHS if month in set(carbon["calendar_month"])]
    grid = (
        carbon.pivot(index="calendar_month", columns="local_hour", values="co2_intensity_g_per_kwh")
        .reindex(months)
        .rename(index=lambda month: calendar.month_abbr[month])
    )
    heatmap = px.imshow(
        grid,
        aspect="auto",
        color_continuous_scale="YlOrRd",
        labels={"x": "Hour of day (Paris)", "y": "Month", "color": "g CO2/kWh"},
        title="Mean CO2 intensity of French production (g CO2 per kWh), months in season order",
    )
    heatmap.update_xaxes(dtick=1)
    return heatmap


st.title("Energy mix and carbon")
chosen = filters.sidebar(period=True, regions=True)

mix = query(queries.ENERGY_MIX_MONTHLY, (chosen.regions, chosen.start, chosen.end))
if mix.empty:
    charts.nothing_to_show("production")
else:
    figure = production_by_source(mix, chosen)
    charts.show(
        figure,
        mix,
        "production_by_source",
        "GWh per month, each region (and France as a whole) on its own; the months the period "
        "touches, whole; '(partial)': a month the data covers only in part",
        charts.RTE,
    )

st.subheader("CO2 intensity by hour of day and month (France)")
carbon = query(queries.CO2_BY_HOUR_AND_MONTH, ("FR", chosen.start, chosen.end))
if carbon.empty:
    charts.nothing_to_show("CO2 intensity")
else:
    heatmap = intensity_by_hour_and_month(carbon)
    charts.show(
        heatmap,
        carbon,
        "co2_intensity_hour_month",
        "g CO2 per kWh produced (RTE's estimate, France only)",
        charts.RTE,
    )
