"""How every chart is shown: the Plotly figure, its data as CSV, then its unit and sources."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

RTE = "RTE éCO2mix via ODRÉ (Licence Ouverte / Etalab 2.0)"
OPEN_METEO = "Weather data by Open-Meteo.com (CC BY 4.0)"
PIPELINE = "wattlake's own load log (dlt)"


def source_note(unit: str, *sources: str) -> str:
    return f"Unit: {unit}. Source: {'; '.join(sources)}."


def show(figure: go.Figure, data: pd.DataFrame, name: str, unit: str, *sources: str) -> None:
    """The chart, a button to download the data behind it, and a caption with unit and source."""
    st.plotly_chart(figure, width="stretch", key=f"chart_{name}")
    st.download_button(
        "Download the data (CSV)",
        data.to_csv(index=False).encode("utf-8"),
        file_name=f"wattlake_{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
    )
    st.caption(source_note(unit, *sources))


def nothing_to_show(what: str) -> None:
    st.info(f"No {what} in this period for these regions: widen the period or add regions.")
