"""How much more electricity does a region use when it is colder? (research question 1)"""

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

st.title("Temperature and consumption")
chosen = filters.sidebar(period=True, regions=True, granularity=True)
window = (chosen.regions, chosen.start, chosen.end)

daily = query(queries.DAILY_CONSUMPTION_TEMPERATURE, window)
slopes = query(queries.TEMPERATURE_SLOPES, window)
if daily.empty:
    charts.nothing_to_show("complete day with temperature")
    st.stop()
daily["region"] = daily["region_code"].map(chosen.label)
slopes["region"] = slopes["region_code"].map(chosen.label)

# headline figures for the first region chosen (France by default)
lead = slopes[slopes["region_code"] == chosen.regions[0]]
first = lead.iloc[0] if len(lead) else slopes.iloc[0]
if pd.notna(first["winter_mw_per_c"]):
    figures = st.columns(3)
    figures[0].metric(
        f"{first['region']}: winter slope (MW/°C)",
        f"{first['winter_mw_per_c']:,.0f} MW/°C",
        help="Extra daily mean consumption per °C colder, October–April days below 15 °C.",
    )
    figures[1].metric(f"{first['region']}: winter r²", f"{first['winter_r_squared']:.2f}")
    figures[2].metric(
        f"{first['region']}: all-year slope (MW/°C)",
        f"{first['all_year_mw_per_c']:,.0f} MW/°C",
        help="The same line fitted on every day of the period.",
    )

figure = px.scatter(
    daily,
    x="mean_temperature_c",
    y="mean_consumption_mw",
    color="region",
    hover_data=["consumption_date", "is_heating_day"],
    labels={
        "mean_temperature_c": "Daily mean temperature (°C)",
        "mean_consumption_mw": "Daily mean consumption (MW)",
        "region": "Region",
    },
    title="Daily consumption against temperature, with the winter line of each region",
)
for row in slopes.itertuples():
    heating = daily[(daily["region_code"] == row.region_code) & daily["is_heating_day"]]
    if pd.isna(row.winter_mw_per_c) or heating.empty:
        continue
    x = np.array([heating["mean_temperature_c"].min(), heating["mean_temperature_c"].max()])
    figure.add_trace(
        go.Scatter(
            x=x,
            y=row.winter_intercept_mw - row.winter_mw_per_c * x,
            mode="lines",
            name=f"{row.region}: {row.winter_mw_per_c:,.0f} MW/°C, r² {row.winter_r_squared:.2f}",
        )
    )
charts.show(
    figure,
    daily,
    "consumption_vs_temperature",
    "MW (daily mean) against °C (daily mean, population-weighted)",
    charts.RTE,
    charts.OPEN_METEO,
)

st.subheader("Slope per region: winter against the whole period")
table = slopes[
    [
        "region",
        "winter_mw_per_c",
        "winter_r_squared",
        "winter_day_count",
        "all_year_mw_per_c",
        "all_year_r_squared",
        "all_year_day_count",
    ]
]
bars = px.bar(
    table.melt(
        id_vars="region",
        value_vars=["winter_mw_per_c", "all_year_mw_per_c"],
        var_name="fit",
        value_name="mw_per_c",
    ).replace({"winter_mw_per_c": "winter (Oct–Apr, < 15 °C)", "all_year_mw_per_c": "all days"}),
    x="region",
    y="mw_per_c",
    color="fit",
    barmode="group",
    labels={"mw_per_c": "MW per °C colder", "region": "Region", "fit": "Days fitted"},
    title="Thermosensitivity: extra MW per °C colder",
)
charts.show(
    bars,
    table,
    "thermosensitivity_per_region",
    "MW per °C; r² from 0 to 1",
    charts.RTE,
    charts.OPEN_METEO,
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "region": "Region",
        "winter_mw_per_c": st.column_config.NumberColumn("Winter (MW/°C)", format="%.0f"),
        "winter_r_squared": st.column_config.NumberColumn("Winter r²", format="%.2f"),
        "winter_day_count": "Winter days",
        "all_year_mw_per_c": st.column_config.NumberColumn("All days (MW/°C)", format="%.0f"),
        "all_year_r_squared": st.column_config.NumberColumn("All days r²", format="%.2f"),
        "all_year_day_count": "Days",
    },
)

trend = query(queries.CONSUMPTION_BY_PERIOD, (chosen.granularity, *window))
trend["region"] = trend["region_code"].map(chosen.label)
over_time = px.line(
    trend,
    x="period_start",
    y="mean_consumption_mw",
    color="region",
    labels={
        "period_start": chosen.granularity.capitalize(),
        "mean_consumption_mw": "Mean consumption (MW)",
        "region": "Region",
    },
    title=f"Mean consumption per {chosen.granularity}",
)
charts.show(
    over_time, trend, "consumption_over_time", f"MW, mean per {chosen.granularity}", charts.RTE
)

with st.expander("Winter seasons as fitted by the warehouse (fct_thermosensitivity)"):
    seasons = query(queries.THERMOSENSITIVITY, (chosen.regions,))
    seasons.insert(0, "region", seasons["region_code"].map(chosen.label))
    st.dataframe(seasons.drop(columns="region_code"), hide_index=True)
    st.caption(charts.source_note("MW per °C, MW, r² from 0 to 1", charts.RTE, charts.OPEN_METEO))
