"""Overview: what the warehouse holds, the headline figures, and each region at a glance."""

import pandas as pd
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

CARDS_PER_ROW = 4

st.title("Overview")
chosen = filters.sidebar(period=True, regions=False, granularity=True)

st.subheader("Data coverage")
coverage = query(queries.SOURCE_COVERAGE)
st.dataframe(
    charts.coverage_table(coverage),
    hide_index=True,
    width="stretch",
    column_config=charts.COVERAGE_COLUMNS,
)
st.caption(charts.source_note("timestamps in UTC", charts.PIPELINE))

headline = query(queries.HEADLINE_FIGURES, ("FR", chosen.end, chosen.end)).iloc[0]
if pd.isna(headline["consumption_twh"]):
    st.info("No monthly figures for France up to the end of this period.")
else:
    months = int(headline["month_count"])
    span = f"{headline['first_month']:%b %Y} – {headline['last_month']:%b %Y}"
    st.subheader(f"France, {charts.months_to(months, headline['last_month'])}")
    figures = st.columns(3)
    figures[0].metric(
        "Consumption (TWh)",
        charts.number(headline["consumption_twh"], "TWh", 1),
        help=f"{months} month(s) of data: {span}.",
    )
    figures[1].metric(
        "CO2 intensity of production (g/kWh)",
        charts.number(headline["co2_intensity_g_per_kwh"], "g/kWh"),
        help="Production-weighted mean of RTE's hourly estimate (France only).",
    )
    figures[2].metric(
        "Renewable share of production",
        charts.number(100 * headline["renewable_share"], "%", 1),
        help="Wind, solar, hydro and bioenergies: the months' renewable share "
        "(fct_energy_mix_monthly), weighted by production.",
    )
    st.caption(
        f"The {months} month(s) of data up to the period's end, at most 12 ({span}). "
        + charts.source_note("TWh, g CO2 per kWh, % of production", charts.RTE)
    )

st.subheader(f"Mean consumption per region, {chosen.period_label}")
codes = list(chosen.region_names)
trend = query(
    queries.CONSUMPTION_BY_PERIOD,
    (chosen.granularity, codes, chosen.start, chosen.end),
    sort_by=queries.CONSUMPTION_BY_PERIOD_SORT,
)
if trend.empty:
    charts.nothing_to_show("consumption")
else:
    shown = [code for code in codes if code in set(trend["region_code"])]
    for index, code in enumerate(shown):
        if index % CARDS_PER_ROW == 0:  # one row of columns at a time: a phone keeps the order
            row = st.columns(CARDS_PER_ROW)
        rows = trend[trend["region_code"] == code]
        row[index % CARDS_PER_ROW].metric(
            f"{chosen.label(code)} (GW)",
            charts.number(charts.mean_over_days(rows, "mean_consumption_mw") / 1e3, "GW", 1),
            chart_data=(rows["mean_consumption_mw"] / 1e3).round(2).tolist(),
            chart_type="line",
            border=True,
            help=f"Mean of the period; the line shows each {chosen.granularity}.",
        )
    charts.download(trend, "consumption_per_region")
    st.caption(charts.source_note(f"GW, mean per {chosen.granularity}", charts.RTE))
