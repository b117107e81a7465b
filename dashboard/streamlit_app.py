"""wattlake dashboard: the router and the frame (title, credits). Pages live in app_pages/."""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="wattlake", page_icon="⚡", layout="wide")

navigation = st.navigation(
    [
        st.Page(
            PAGES / "consumption_temperature.py",
            title="Temperature and consumption",
            icon="🌡️",
            default=True,
        ),
    ]
)
navigation.run()

st.divider()
st.caption(
    "Electricity data: RTE – éCO2mix, via ODRÉ (Licence Ouverte / Etalab 2.0). "
    "Weather data by Open-Meteo.com (CC BY 4.0). Built with wattlake: dlt → PostgreSQL → dbt → "
    "Streamlit; this app reads only the `marts` schema."
)
