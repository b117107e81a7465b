"""Which regions produce more than they consume, and how that changes with the seasons."""

import plotly.express as px
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

SEASONS = ["winter", "spring", "summer", "autumn"]

st.title("Regions")
chosen = filters.sidebar(period=True, regions=False)
window = (chosen.start, chosen.end)

balance = query(queries.REGIONAL_BALANCE, window)
if balance.empty:
    charts.nothing_to_show("monthly balance")
    st.stop()
france = balance[balance["region_code"] == "FR"]
regions = balance[balance["region_code"] != "FR"]
if len(france):
    st.metric(
        "France: production − consumption (GWh)",
        f"{france.iloc[0]['balance_gwh']:,.0f} GWh",
        help="Positive: France exported more than it imported over the period.",
    )

bars = px.bar(
    regions.sort_values("balance_gwh"),
    x="balance_gwh",
    y="region_name",
    orientation="h",
    color="balance_gwh",
    color_continuous_scale="RdBu",
    color_continuous_midpoint=0,
    labels={"balance_gwh": "Production − consumption (GWh)", "region_name": "Region"},
    title=f"Production minus consumption per region, {chosen.period_label}",
)
charts.show(
    bars, regions, "regional_balance", "GWh over the period (months the period touches)", charts.RTE
)

st.subheader("Importers and exporters by season")
seasons = query(queries.BALANCE_BY_SEASON, window)
seasons = seasons[seasons["region_code"] != "FR"]
grouped = px.bar(
    seasons,
    x="region_name",
    y="balance_gwh",
    color="meteorological_season",
    barmode="group",
    category_orders={"meteorological_season": SEASONS},
    labels={
        "balance_gwh": "Production − consumption (GWh)",
        "region_name": "Region",
        "meteorological_season": "Season",
    },
    title="Net exporters (above 0) and importers (below 0), per meteorological season",
)
charts.show(grouped, seasons, "balance_by_season", "GWh per season over the period", charts.RTE)
