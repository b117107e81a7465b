"""How much more electricity does a region use when it is colder? (research question 1)"""

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

MIN_FIT_DAYS = 2


@charts.cached
def consumption_against_temperature(daily, slopes, chosen) -> go.Figure:
    """The days as points, France in its own panel, each region's winter line in its colour."""
    figure = px.scatter(
        daily,
        x="mean_temperature_c",
        y="mean_consumption_mw",
        hover_data=["consumption_date", "is_heating_day"],
        labels={
            "mean_temperature_c": "Daily mean temperature (°C)",
            "mean_consumption_mw": "Daily mean consumption (MW)",
            "region": "Region",
        },
        title="Daily consumption against temperature, with the winter line of each region",
        **charts.by_region(daily, chosen.label),
    )
    charts.own_axes(figure)
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
                line={"color": charts.REGION_COLOURS[row.region_code], "width": 3},
                name=f"{row.region}: {charts.number(row.winter_mw_per_c, 'MW/°C')}, "
                f"r² {row.winter_r_squared:.2f}",
            ),
            row=1,
            col=charts.panel_column(daily, row.region_code),
        )
    return figure


@charts.cached
def slopes_per_region(fits) -> go.Figure:
    """Winter and all-day slopes side by side, France in its own panel."""
    bars = px.bar(
        fits,
        x="region",
        y="mw_per_c",
        color="fit",
        barmode="group",
        facet_col="panel",
        category_orders={"panel": charts.panels(fits)},
        labels={"mw_per_c": "MW per °C colder", "region": "Region", "fit": "Days fitted"},
        title="Thermosensitivity: extra MW per °C colder",
    )
    charts.own_axes(bars).update_xaxes(matches=None)
    return bars


st.title("Temperature and consumption")
chosen = filters.sidebar(period=True, regions=True, granularity=True)
window = (chosen.regions, chosen.start, chosen.end)

daily = query(queries.DAILY_CONSUMPTION_TEMPERATURE, window)
slopes = query(queries.TEMPERATURE_SLOPES, window)
if daily.empty:
    charts.nothing_to_show("complete day with temperature")
    st.stop()
daily = charts.regional(daily, chosen.label)
slopes["region"] = slopes["region_code"].map(chosen.label)

# headline figures for the first region chosen (France by default)
lead = slopes[slopes["region_code"] == chosen.regions[0]]
first = lead.iloc[0] if len(lead) else slopes.iloc[0]
if chosen.day_count < MIN_FIT_DAYS:
    st.info(f"Pick at least {MIN_FIT_DAYS} days to fit a line: this period has one.")
elif pd.isna(first["winter_mw_per_c"]):
    st.info(f"{first['region']}: too few heating days in this period to fit a winter line.")
else:
    figures = st.columns(3)
    figures[0].metric(
        f"{first['region']}: winter slope (MW/°C)",
        charts.number(first["winter_mw_per_c"], "MW/°C"),
        help="Extra daily mean consumption per °C colder, October–April days below 15 °C.",
    )
    figures[1].metric(
        f"{first['region']}: winter r²", charts.number(first["winter_r_squared"], digits=2)
    )
    figures[2].metric(
        f"{first['region']}: all-year slope (MW/°C)",
        charts.number(first["all_year_mw_per_c"], "MW/°C"),
        help="The same line fitted on every day of the period.",
    )

figure = consumption_against_temperature(daily, slopes, chosen)
charts.show(
    figure,
    daily,
    "consumption_vs_temperature",
    "MW (daily mean) against °C (daily mean, population-weighted)",
    charts.RTE,
    charts.OPEN_METEO,
)

st.subheader("Slope per region: winter against the whole period")
fitted = slopes.dropna(subset=["all_year_mw_per_c"])
if fitted.empty:
    st.caption(f"No slope in this period: pick at least {MIN_FIT_DAYS} days to fit a line.")
else:
    table = fitted[
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
    fits = charts.regional(
        table.assign(region_code=fitted["region_code"]).melt(
            id_vars=["region_code", "region"],
            value_vars=["winter_mw_per_c", "all_year_mw_per_c"],
            var_name="fit",
            value_name="mw_per_c",
        ),
        chosen.label,
    ).replace({"winter_mw_per_c": "winter (Oct–Apr, < 15 °C)", "all_year_mw_per_c": "all days"})
    bars = slopes_per_region(fits)
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
            "winter_mw_per_c": charts.number_column("Winter (MW/°C)"),
            "winter_r_squared": charts.number_column("Winter r²", 2),
            "winter_day_count": "Winter days",
            "all_year_mw_per_c": charts.number_column("All days (MW/°C)"),
            "all_year_r_squared": charts.number_column("All days r²", 2),
            "all_year_day_count": "Days",
        },
    )

trend = query(queries.CONSUMPTION_BY_PERIOD, (chosen.granularity, *window))
over_time = charts.trend_chart(
    trend,
    "mean_consumption_mw",
    chosen,
    f"Mean consumption per {chosen.granularity}",
    "Mean consumption (MW)",
)
charts.show(
    over_time, trend, "consumption_over_time", f"MW, mean per {chosen.granularity}", charts.RTE
)

with st.expander("Winter seasons as fitted by the warehouse (fct_thermosensitivity)"):
    seasons = query(queries.THERMOSENSITIVITY, (chosen.regions,))
    seasons.insert(0, "region", seasons["region_code"].map(chosen.label))
    st.dataframe(seasons.drop(columns="region_code"), hide_index=True)
    st.caption(charts.source_note("MW per °C, MW, r² from 0 to 1", charts.RTE, charts.OPEN_METEO))
