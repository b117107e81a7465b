"""What was loaded when, how fresh each source is, and how many rows each load brought."""

import plotly.express as px
import streamlit as st

from dashboard import charts, queries
from dashboard.db import query

st.title("Pipeline")

coverage = query(queries.SOURCE_COVERAGE)
loads = query(queries.PIPELINE_LOADS)
if loads.empty:
    st.info("No load recorded yet: run `make demo` or `make run`, then reload this page.")
    st.stop()

st.subheader("Freshness of each source")
figures = st.columns(len(coverage))
for column, row in zip(figures, coverage.itertuples(), strict=True):
    age_h = row.hours_since_last_data
    column.metric(
        f"{row.table_name}: age of the newest data",
        f"{age_h:,.0f} h" if age_h < 48 else f"{age_h / 24:,.0f} days",
        help=f"Newest instant {row.last_data_at:%Y-%m-%d %H:%M} UTC, "
        f"last loaded {row.last_loaded_at:%Y-%m-%d %H:%M} UTC.",
    )
st.caption(charts.source_note("hours or days between the newest data and now", charts.PIPELINE))

timeline = px.scatter(
    loads,
    x="loaded_at",
    y="table_name",
    size="row_count",
    color="source_name",
    hover_data=[
        "dlt_load_id",
        "row_count",
        "source_file_count",
        "oldest_data_at",
        "newest_data_at",
    ],
    labels={"loaded_at": "Loaded at (UTC)", "table_name": "Raw table", "source_name": "Source"},
    title="Loads over time (point size: rows loaded)",
)
charts.show(timeline, loads, "pipeline_loads", "rows per load; UTC instants", charts.PIPELINE)

counts = px.bar(
    coverage,
    x="table_name",
    y="row_count",
    color="source_name",
    labels={"table_name": "Raw table", "row_count": "Rows loaded", "source_name": "Source"},
    title="Rows loaded per raw table",
)
charts.show(counts, coverage, "rows_per_table", "rows", charts.PIPELINE)
st.dataframe(loads, hide_index=True)
