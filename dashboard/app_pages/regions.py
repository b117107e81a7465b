"""Which regions produce more than they consume, and how that changes with the seasons."""

import plotly.express as px
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.db import query

SEASON_COLOURS = ["#d08c3a", "#3b6fb6", "#5aa469", "#e0b100", "#a3542f", "#6b8fd6", "#8fc79a"]


@charts.cached
def balance_per_region(regions, chosen):
    """Regions from the biggest importer to the biggest exporter, coloured around 0."""
    return px.bar(
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


@charts.cached
def balance_per_season(seasons):
    """Each region's mean month per season, the seasons in time order, labelled with years."""
    seasons = seasons.assign(
        season=[
            f"{label} ({count} month{'s' if count > 1 else ''})"
            for label, count in zip(seasons["season_label"], seasons["month_count"], strict=True)
        ]
    )
    in_time_order = seasons.sort_values("season_start_date")["season"].unique().tolist()
    return px.bar(
        seasons,
        x="region_name",
        y="mean_balance_gwh_per_month",
        color="season",
        barmode="group",
        category_orders={"season": in_time_order},
        color_discrete_sequence=SEASON_COLOURS,
        labels={
            "mean_balance_gwh_per_month": "Production − consumption (mean GWh a month)",
            "region_name": "Region",
            "season": "Season",
        },
        title="Net exporters (above 0) and importers (below 0): mean month of each season",
    )


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
        charts.number(france.iloc[0]["balance_gwh"], "GWh"),
        help="Positive: France exported more than it imported over the period.",
    )

bars = balance_per_region(regions, chosen)
charts.show(
    bars, regions, "regional_balance", "GWh over the period (months the period touches)", charts.RTE
)

st.subheader("Importers and exporters by season")
seasons = query(queries.BALANCE_BY_SEASON, window)
seasons = seasons[seasons["region_code"] != "FR"]
grouped = balance_per_season(seasons)
charts.show(
    grouped,
    seasons,
    "balance_by_season",
    "mean GWh a month of each meteorological season in the period (months it touches)",
    charts.RTE,
)
