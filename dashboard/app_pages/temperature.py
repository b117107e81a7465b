"""How much more electricity does a region use when it is colder? (research question 1)"""

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

WHOLE_SEASON = (
    "Each slope is the warehouse's fit (fct_thermosensitivity) of the heating days of a whole "
    "season, October to April, whatever part of the season the period covers: the period picks "
    "the seasons."
)


def season_line(fit, days: pd.DataFrame) -> go.Scatter:
    """The mart's line of one region and season (consumption = intercept − slope × °C), drawn
    across the temperatures of that season's days on the chart."""
    x = np.array([days["mean_temperature_c"].min(), days["mean_temperature_c"].max()])
    return go.Scatter(
        x=x,
        y=fit.intercept_mw - fit.thermosensitivity_mw_per_c * x,
        mode="lines",
        meta=fit.region_code,
        line={"color": charts.REGION_COLOURS[fit.region_code], "width": 3},
        name=f"{fit.region} {fit.winter_season}: "
        f"{charts.number(fit.thermosensitivity_mw_per_c, 'MW/°C')}, "
        f"r² {charts.number(fit.r_squared, digits=2)}",
    )


@charts.cached
def consumption_against_temperature(daily, fits, chosen) -> go.Figure:
    """The days as points, France in its own panel, and the warehouse's line of each region and
    winter season in the region's colour."""
    figure = px.scatter(
        daily,
        x="mean_temperature_c",
        y="mean_consumption_mw",
        hover_data=["consumption_date", "winter_season"],
        labels={
            "mean_temperature_c": "Daily mean temperature (°C)",
            "mean_consumption_mw": "Daily mean consumption (MW)",
            "region": "Region",
        },
        title="Daily consumption against temperature, with each winter season's line",
        **charts.by_region(daily, chosen.label),
    )
    charts.own_axes(figure)
    for fit in fits.itertuples():
        days = daily[
            (daily["region_code"] == fit.region_code)
            & (daily["winter_season"] == fit.winter_season)
        ]
        if len(days):
            figure.add_trace(
                season_line(fit, days), row=1, col=charts.panel_column(daily, fit.region_code)
            )
    return figure


@charts.cached
def slopes_per_region(fits) -> go.Figure:
    """Each region's slope per winter season, ± one standard error, France in its own panel."""
    bars = px.bar(
        fits,
        x="region",
        y="thermosensitivity_mw_per_c",
        error_y="standard_error_mw_per_c",
        color="winter_season",
        barmode="group",
        facet_col="panel",
        category_orders={"panel": charts.panels(fits)},
        labels={
            "thermosensitivity_mw_per_c": "MW per °C colder",
            "region": "Region",
            "winter_season": "Winter season",
        },
        title="Thermosensitivity per winter season: extra MW per °C colder (± 1 standard error)",
    )
    charts.own_axes(bars).update_xaxes(matches=None)
    return bars


def headline(fits: pd.DataFrame, region_code: str, region: str) -> None:
    """The lead region's latest season in the period, as the warehouse fitted it."""
    lead = fits[fits["region_code"] == region_code]
    if lead.empty:
        st.info(f"{region}: the warehouse has no winter fit for the seasons of this period.")
        return
    fit = lead.iloc[-1]
    season = f"{region}, winter {fit['winter_season']}"
    figures = st.columns(3)
    figures[0].metric(
        f"{season}: slope (MW/°C)",
        charts.number(fit["thermosensitivity_mw_per_c"], "MW/°C"),
        help="Extra daily mean consumption per °C colder, ± "
        f"{charts.number(fit['standard_error_mw_per_c'], 'MW/°C')} (one standard error).",
    )
    figures[1].metric(f"{season}: r²", charts.number(fit["r_squared"], digits=2))
    figures[2].metric(f"{season}: days fitted", charts.number(fit["day_count"]))
    if len(lead) > 1:
        st.caption(f"{len(lead) - 1} earlier season(s) of this period: see the table below.")


st.title("Temperature and consumption")
chosen = filters.sidebar(period=True, regions=True, granularity=True)
window = (chosen.regions, chosen.start, chosen.end)

daily = charts.regional_days(
    queries.DAILY_CONSUMPTION_TEMPERATURE, chosen, "complete day with temperature"
)
fits = charts.regional(query(queries.THERMOSENSITIVITY, window), chosen.label)

if daily["winter_season"].isna().all():
    st.info("No October–April day in this period: the warehouse fits one slope per winter.")
else:
    headline(fits, chosen.regions[0], chosen.label(chosen.regions[0]))

figure = consumption_against_temperature(daily, fits, chosen)
charts.show(
    figure,
    daily,
    "consumption_vs_temperature",
    "MW (daily mean) against °C (daily mean, population-weighted)",
    charts.RTE,
    charts.OPEN_METEO,
)

st.subheader("Slope per region and winter season")
if fits.empty:
    st.caption("No winter season fitted by the warehouse overlaps this period.")
else:
    table = fits.drop(columns=["region_code", "panel"])
    charts.show(
        slopes_per_region(fits),
        table,
        "thermosensitivity_per_region",
        "MW per °C; r² from 0 to 1",
        charts.RTE,
        charts.OPEN_METEO,
    )
    st.dataframe(
        table[["region", *table.columns.drop("region")]],
        hide_index=True,
        column_config={
            "region": "Region",
            "winter_season": "Winter season (whole)",
            "thermosensitivity_mw_per_c": charts.number_column("Slope (MW/°C)", 1),
            "standard_error_mw_per_c": charts.number_column("± s.e. (MW/°C)", 1),
            "intercept_mw": charts.number_column("Intercept at 0 °C (MW)"),
            "r_squared": charts.number_column("r²", 2),
            "day_count": "Days fitted",
            "mean_temperature_c": charts.number_column("Mean of fitted days (°C)", 1),
        },
    )
    st.caption(WHOLE_SEASON)

trend = query(
    queries.CONSUMPTION_BY_PERIOD,
    (chosen.granularity, *window),
    sort_by=queries.CONSUMPTION_BY_PERIOD_SORT,
)
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
