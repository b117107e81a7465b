"""The highest days of consumption in each region, and the weather they came with."""

import plotly.express as px
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

PEAKS_PER_REGION = 10


@charts.cached
def peak_days(peaks, chosen):
    """One bar per top day, one panel per region on its own scale, coloured by the temperature
    at the peak hour on a fixed scale."""
    bars = px.bar(
        peaks,
        x="rank_in_period",
        y="peak_consumption_mw",
        color="temperature_at_peak_c",
        facet_row="region_name",
        color_continuous_scale=charts.TEMPERATURE_SCALE,
        range_color=charts.TEMPERATURE_RANGE_C,
        hover_data=["consumption_date", "peak_local_hour", "mean_temperature_c"],
        labels={
            "rank_in_period": "Rank in the period",
            "peak_consumption_mw": "Peak (MW)",
            "temperature_at_peak_c": "Temperature at peak (°C)",
            "region_name": "Region",
            "mean_temperature_c": "Daily mean (°C)",
        },
        category_orders={"region_name": list(dict.fromkeys(peaks["region_name"]))},
        title=f"The {PEAKS_PER_REGION} highest days of {chosen.period_label}, per region",
        height=220 + 220 * peaks["region_code"].nunique(),
    )
    bars.update_yaxes(matches=None)  # France's peaks are ten times a region's
    bars.update_xaxes(dtick=1)
    bars.for_each_annotation(lambda note: note.update(text=note.text.split("=")[-1]))
    return bars


st.title("Peaks")
chosen = filters.sidebar(period=True, regions=True)

peaks = query(queries.TOP_PEAKS, (chosen.regions, chosen.start, chosen.end, PEAKS_PER_REGION))
if peaks.empty:
    charts.nothing_to_show("peak day")
    st.stop()

top = peaks.iloc[0]
figures = st.columns(3)
figures[0].metric(
    f"{top['region_name']}: highest peak (MW)", charts.number(top["peak_consumption_mw"], "MW")
)
figures[1].metric(
    "On", f"{top['consumption_date']:%Y-%m-%d}", help=f"At {top['peak_local_hour']}h, Paris time."
)
figures[2].metric(
    "Temperature at that hour (°C)", charts.number(top["temperature_at_peak_c"], "°C", 1)
)

bars = peak_days(peaks, chosen)
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
        "peak_consumption_mw": charts.number_column("Peak (MW)"),
        "mean_consumption_mw": charts.number_column("Daily mean (MW)"),
        "temperature_at_peak_c": charts.number_column("At peak (°C)", 1),
        "mean_temperature_c": charts.number_column("Daily mean (°C)", 1),
        "wind_speed_at_peak_100m_kmh": charts.number_column("Wind (km/h)"),
        "cloud_cover_at_peak_pct": charts.number_column("Clouds (%)"),
    },
)
