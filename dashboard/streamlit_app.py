"""wattlake dashboard: the router and the frame (title, credits, warehouse problems).

Pages live in app_pages/ and hold layout only; SQL is in queries.py, the shared filters in
filters.py, the chart + CSV + caption pattern in charts.py.
"""

from pathlib import Path

import streamlit as st

from dashboard.db import WarehouseDown, WarehouseUnavailable

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="wattlake", page_icon=":material/bolt:", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page(
            PAGES / "temperature.py",
            title="Temperature and consumption",
            icon=":material/device_thermostat:",
        ),
        st.Page(PAGES / "energy_mix.py", title="Energy mix and carbon", icon=":material/factory:"),
        st.Page(PAGES / "regions.py", title="Regions", icon=":material/map:"),
        st.Page(PAGES / "renewables.py", title="Renewables and weather", icon=":material/air:"),
        st.Page(PAGES / "peaks.py", title="Peaks", icon=":material/trending_up:"),
        st.Page(PAGES / "pipeline.py", title="Pipeline", icon=":material/local_shipping:"),
    ]
)
st.sidebar.caption(
    "Electricity: RTE éCO2mix via ODRÉ (Licence Ouverte / Etalab 2.0). "
    "Weather data by Open-Meteo.com (CC BY 4.0). This app reads only the `marts` schema, "
    "as a read-only role."
)

try:
    navigation.run()
except WarehouseDown as problem:
    st.error(str(problem))
except WarehouseUnavailable as problem:
    st.info(str(problem))
