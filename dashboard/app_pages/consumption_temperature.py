"""How much more electricity does a region use when it is colder? (research question 1)"""

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import queries
from dashboard.db import WarehouseUnavailable, query

SOURCE_NOTE = "Sources: RTE – éCO2mix via ODRÉ (consumption), Open-Meteo.com (temperature)."

st.title("Temperature and consumption")

try:
    regions = query(queries.REGIONS)
    bounds = query(queries.DATE_RANGE)
except WarehouseUnavailable as problem:
    st.info(str(problem))
    st.stop()

if regions.empty or bounds["first_date"].isna().all():
    st.info("The marts are empty: run `make demo` (sample data) or `make run`, then reload.")
    st.stop()

names = dict(zip(regions["region_code"], regions["region_name"], strict=True))
first, last = bounds.loc[0, "first_date"], bounds.loc[0, "last_date"]
left, right = st.columns([1, 2])
region = left.selectbox("Region", list(names), format_func=names.get)
period = right.date_input("Period", value=(first, last), min_value=first, max_value=last)
start, end = period if len(period) == 2 else (period[0], last)

daily = query(queries.DAILY_CONSUMPTION, (region, start, end))
if daily.empty:
    st.info("No complete day in this period for this region.")
    st.stop()

daily = daily.astype({"mean_consumption_mw": float, "mean_temperature_c": float})
cold = daily[daily["mean_temperature_c"] < 15]

metrics = st.columns(3)
metrics[0].metric("Energy consumed", f"{daily['energy_mwh'].astype(float).sum() / 1e6:,.2f} TWh")
metrics[1].metric("Peak", f"{daily['peak_consumption_mw'].astype(float).max():,.0f} MW")
if len(cold) >= 2:
    slope, intercept = np.polyfit(cold["mean_temperature_c"], cold["mean_consumption_mw"], 1)
    metrics[2].metric(
        "Thermosensitivity (days below 15 °C)",
        f"{-slope:,.0f} MW per °C",
        help="Least-squares slope of daily mean consumption on daily mean temperature.",
    )

figure = px.scatter(
    daily,
    x="mean_temperature_c",
    y="mean_consumption_mw",
    hover_data=["consumption_date"],
    labels={
        "mean_temperature_c": "Daily mean temperature (°C)",
        "mean_consumption_mw": "Daily mean consumption (MW)",
    },
    title=f"Daily consumption against temperature: {names[region]}",
)
if len(cold) >= 2:
    line_x = np.array([cold["mean_temperature_c"].min(), 15.0])
    figure.add_trace(
        go.Scatter(x=line_x, y=slope * line_x + intercept, mode="lines", name="fit below 15 °C")
    )
st.plotly_chart(figure, width="stretch")
st.caption(SOURCE_NOTE)

over_time = px.line(
    daily,
    x="consumption_date",
    y=["mean_consumption_mw"],
    labels={"consumption_date": "Day", "value": "Daily mean consumption (MW)"},
    title="Daily mean consumption (MW)",
)
st.plotly_chart(over_time, width="stretch")
st.download_button(
    "Download these days as CSV",
    daily.to_csv(index=False).encode("utf-8"),
    file_name=f"wattlake_daily_{region}_{start}_{end}.csv",
    mime="text/csv",
)
st.caption(SOURCE_NOTE)
