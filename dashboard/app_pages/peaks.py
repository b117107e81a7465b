"""The highest days of consumption in each region, and the weather they came with."""

import plotly.express as px
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

PEAKS_PER_REGION = 10

st.title("Peaks")
chosen = filters.sidebar(period=True, regions=True)

peaks = query(queries.TOP_PEAKS, (chosen.regions, chosen.start, chosen.end, PEAKS_PER_REGION))
if peaks.empty:
    charts.nothing_to_show("peak day")
    st.stop()

top = peaks.iloc[0]
figures = st.columns(3)
figures[0].metric(
    f"{top['region_name']}: highest peak (MW)", f"{top['peak_consumption_mw']:,.0f} MW"
)
figures[1].metric(
    "On", f"{top['consumption_date']:%Y-%m-%d}", help=f"At {top['peak_local_hour']}h, Paris time."
)
figures[2].metric("Temperature at that hour (°C)", f"{top['temperature_at_peak_c']:.1f} °C")

bars = px.bar(
    peaks,
    x="rank_in_period",
    y="peak_consumption_mw",
    color="temperature_at_peak_c",
    facet_row="region_name",
    color_continuous_scale="RdBu_r",
    hover_data=["consumption_date", "peak_local_hour", "temperature_anomaly_c"],
    labels={
        "rank_in_period": "Rank in the period",
        "peak_consumption_mw": "Peak (MW)",
        "temperature_at_peak_c": "Temperature at peak (°C)",
        "region_name": "Region",
    },
    title=f"The {PEAKS_PER_REGION} highest daily peaks per region, {chosen.period_label}",
    height=220 + 220 * peaks["region_code"].nunique(),
)
bars.update_yaxes(matches=None)  # France's peaks are ten times a region's
charts.show(
    bars,
    peaks,
    "top_peaks",
    "MW (highest hourly mean of the day); °C, km/h, % at the peak hour",
    charts.RTE,
    charts.OPEN_METEO,
)
st.dataframe(
    peaks.drop(columns=["region_code"]),
    hide_index=True,
    column_config={
        "region_name": "Region",
        "rank_in_period": "Rank",
        "consumption_date": "Day",
        "peak_local_hour": "Hour (Paris)",
        "peak_consumption_mw": st.column_config.NumberColumn("Peak (MW)", format="%.0f"),
        "mean_consumption_mw": st.column_config.NumberColumn("Daily mean (MW)", format="%.0f"),
        "temperature_at_peak_c": st.column_config.NumberColumn("At peak (°C)", format="%.1f"),
        "mean_temperature_c": st.column_config.NumberColumn("Daily mean (°C)", format="%.1f"),
        "temperature_anomaly_c": st.column_config.NumberColumn("Anomaly (°C)", format="%.1f"),
        "wind_speed_at_peak_100m_kmh": st.column_config.NumberColumn("Wind (km/h)", format="%.0f"),
        "cloud_cover_at_peak_pct": st.column_config.NumberColumn("Clouds (%)", format="%.0f"),
    },
)
