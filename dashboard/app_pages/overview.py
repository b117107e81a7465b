"""Overview: what the warehouse holds, the headline figures, and each region at a glance."""

import pandas as pd
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

st.title("Overview")
chosen = filters.sidebar(period=True, regions=False, granularity=True)

st.subheader("Data coverage")
coverage = query(queries.SOURCE_COVERAGE)
st.dataframe(
    coverage[["source_name", "table_name", "first_data_at", "last_data_at", "row_count"]],
    hide_index=True,
    column_config={
        "source_name": "Source",
        "table_name": "Raw table",
        "first_data_at": st.column_config.DatetimeColumn("First timestamp (UTC)"),
        "last_data_at": st.column_config.DatetimeColumn("Last timestamp (UTC)"),
        "row_count": st.column_config.NumberColumn("Rows loaded", format="localized"),
    },
)
st.caption(charts.source_note("timestamps in UTC", charts.PIPELINE))

headline = query(queries.HEADLINE_FIGURES, ("FR", chosen.end, chosen.end)).iloc[0]
if pd.isna(headline["consumption_twh"]):
    st.info("No monthly figures for France up to the end of this period.")
else:
    months = int(headline["month_count"])
    span = f"{headline['first_month']:%b %Y} – {headline['last_month']:%b %Y}"
    st.subheader(f"France, the 12 months to {chosen.end:%b %Y}")
    figures = st.columns(3)
    figures[0].metric(
        "Consumption (TWh)",
        f"{headline['consumption_twh']:,.1f} TWh",
        help=f"{months} month(s) of data: {span}.",
    )
    figures[1].metric(
        "CO2 intensity of production (g/kWh)",
        f"{headline['co2_intensity_g_per_kwh']:,.0f} g/kWh",
        help="Production-weighted mean of RTE's hourly estimate (France only).",
    )
    figures[2].metric(
        "Renewable share of production",
        f"{headline['renewable_share']:.1%}",
        help="Wind, solar, hydro and bioenergies divided by all production.",
    )
    st.caption(
        f"{months} month(s) of data ({span}). "
        + charts.source_note("TWh, g CO2 per kWh, % of production", charts.RTE)
    )

st.subheader(f"Mean consumption per region, {chosen.period_label}")
codes = list(chosen.region_names)
trend = query(queries.CONSUMPTION_BY_PERIOD, (chosen.granularity, codes, chosen.start, chosen.end))
if trend.empty:
    charts.nothing_to_show("consumption")
else:
    grid = st.columns(4)
    shown = [code for code in codes if code in set(trend["region_code"])]
    for index, code in enumerate(shown):
        rows = trend[trend["region_code"] == code]
        grid[index % 4].metric(
            f"{chosen.label(code)} (GW)",
            f"{rows['mean_consumption_mw'].mean() / 1e3:,.1f} GW",
            chart_data=(rows["mean_consumption_mw"] / 1e3).round(2).tolist(),
            chart_type="line",
            border=True,
            help=f"Mean of the period; the line shows each {chosen.granularity}.",
        )
    st.download_button(
        "Download the data (CSV)",
        trend.to_csv(index=False).encode("utf-8"),
        file_name="wattlake_consumption_per_region.csv",
        mime="text/csv",
    )
    st.caption(charts.source_note(f"GW, mean per {chosen.granularity}", charts.RTE))
