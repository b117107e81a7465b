"""What produces the electricity, and how much CO2 each kWh carries, by hour and month."""

import calendar

import plotly.express as px
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

SOURCES = {
    "nuclear_gwh": "Nuclear",
    "thermal_gwh": "Fossil thermal",
    "hydro_gwh": "Hydro",
    "wind_gwh": "Wind",
    "solar_gwh": "Solar",
    "bioenergy_gwh": "Bioenergies",
}

st.title("Energy mix and carbon")
chosen = filters.sidebar(period=True, regions=True)
names = ", ".join(chosen.label(code) for code in chosen.regions)

mix = query(queries.ENERGY_MIX_MONTHLY, (chosen.regions, chosen.start, chosen.end))
if mix.empty:
    charts.nothing_to_show("production")
else:
    stacked = mix.melt(
        id_vars="month_start_date",
        value_vars=list(SOURCES),
        var_name="source",
        value_name="gwh",
    ).replace({"source": SOURCES})
    figure = px.area(
        stacked,
        x="month_start_date",
        y="gwh",
        color="source",
        labels={"month_start_date": "Month", "gwh": "Production (GWh)", "source": "Source"},
        title=f"Production by source per month: {names}",
    )
    figure.add_scatter(
        x=mix["month_start_date"], y=mix["consumption_gwh"], name="Consumption", mode="lines"
    )
    charts.show(
        figure,
        mix,
        "production_by_source",
        "GWh per month (first and last months may be partial)",
        charts.RTE,
    )

st.subheader("CO2 intensity by hour of day and month (France)")
carbon = query(queries.CO2_BY_HOUR_AND_MONTH, ("FR", chosen.start, chosen.end))
if carbon.empty:
    charts.nothing_to_show("CO2 intensity")
else:
    grid = carbon.pivot(
        index="calendar_month", columns="local_hour", values="co2_intensity_g_per_kwh"
    ).rename(index=lambda month: calendar.month_abbr[month])
    heatmap = px.imshow(
        grid,
        aspect="auto",
        color_continuous_scale="YlOrRd",
        labels={"x": "Hour of day (Paris)", "y": "Month", "color": "g CO2/kWh"},
        title="Mean CO2 intensity of French production (g CO2 per kWh)",
    )
    charts.show(
        heatmap,
        carbon,
        "co2_intensity_hour_month",
        "g CO2 per kWh produced (RTE's estimate, France only)",
        charts.RTE,
    )
