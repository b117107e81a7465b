"""How solar follows the sun and wind follows the wind, region by region."""

import plotly.express as px
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

st.title("Renewables and weather")
chosen = filters.sidebar(period=True, regions=True, granularity=True)
window = (chosen.regions, chosen.start, chosen.end)

daily = query(queries.RENEWABLES_DAILY, window)
if daily.empty:
    charts.nothing_to_show("renewable production")
    st.stop()
daily = charts.regional(daily, chosen.label)

left, right = st.columns(2)
with left:
    solar = px.scatter(
        daily,
        x="solar_irradiation_kwh_m2",
        y="solar_mwh",
        hover_data=["consumption_date"],
        **charts.by_region(daily, chosen.label),
        labels={
            "solar_irradiation_kwh_m2": "Daily irradiation (kWh/m²)",
            "solar_mwh": "Solar production (MWh per day)",
            "region": "Region",
        },
        title="Solar production against radiation, per day",
    )
    charts.own_axes(solar)
    charts.show(
        solar,
        daily[["consumption_date", "region_code", "solar_mwh", "solar_irradiation_kwh_m2"]],
        "solar_vs_radiation",
        "MWh per day against kWh/m² per day",
        charts.RTE,
        charts.OPEN_METEO,
    )
with right:
    wind = px.scatter(
        daily,
        x="mean_wind_speed_100m_kmh",
        y="wind_mwh",
        hover_data=["consumption_date"],
        **charts.by_region(daily, chosen.label),
        labels={
            "mean_wind_speed_100m_kmh": "Mean wind speed at 100 m (km/h)",
            "wind_mwh": "Wind production (MWh per day)",
            "region": "Region",
        },
        title="Wind production against wind speed, per day",
    )
    charts.own_axes(wind)
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
