"""How solar follows the sun and wind follows the wind, region by region."""

import plotly.express as px
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query


@charts.cached
def against_weather(daily, x: str, y: str, x_label: str, y_label: str, title: str, chosen):
    """One point per region and day, France in its own panel."""
    figure = px.scatter(
        daily,
        x=x,
        y=y,
        hover_data=["consumption_date"],
        labels={x: x_label, y: y_label, "region": "Region"},
        title=title,
        **charts.by_region(daily, chosen.label),
    )
    return charts.own_axes(figure)


st.title("Renewables and weather")
chosen = filters.sidebar(period=True, regions=True, granularity=True)
window = (chosen.regions, chosen.start, chosen.end)

daily = charts.regional_days(queries.RENEWABLES_DAILY, chosen, "renewable production")

left, right = st.columns(2)
with left:
    solar = against_weather(
        daily,
        "solar_irradiation_kwh_m2",
        "solar_mwh",
        "Daily irradiation (kWh/m²)",
        "Solar production (MWh per day)",
        "Solar production against radiation, per day",
        chosen,
    )
    charts.show(
        solar,
        daily[["consumption_date", "region_code", "solar_mwh", "solar_irradiation_kwh_m2"]],
        "solar_vs_radiation",
        "MWh per day against kWh/m² per day",
        charts.RTE,
        charts.OPEN_METEO,
    )
with right:
    wind = against_weather(
        daily,
        "mean_wind_speed_100m_kmh",
        "wind_mwh",
        "Mean wind speed at 100 m (km/h)",
        "Wind production (MWh per day)",
        "Wind production against wind speed, per day",
        chosen,
    )
    charts.show(
        wind,
        daily[["consumption_date", "region_code", "wind_mwh", "mean_wind_speed_100m_kmh"]],
        "wind_vs_wind_speed",
        "MWh per day against km/h (daily mean at 100 m)",
        charts.RTE,
        charts.OPEN_METEO,
    )

trend = query(queries.RENEWABLES_BY_PERIOD, (chosen.granularity, *window))
power = trend.melt(
    id_vars=["period_start", "region_code"],
    value_vars=["mean_solar_mw", "mean_wind_mw"],
    var_name="source",
    value_name="mw",
).replace({"mean_solar_mw": "solar", "mean_wind_mw": "wind"})
over_time = charts.trend_chart(
    power,
    "mw",
    chosen,
    f"Mean solar and wind power per {chosen.granularity}",
    "Mean power (MW)",
    line_dash="source",
)
charts.show(
    over_time,
    trend,
    "renewables_over_time",
    f"MW, mean per {chosen.granularity}",
    charts.RTE,
    charts.OPEN_METEO,
)
