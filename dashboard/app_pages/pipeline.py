"""What was loaded when, how fresh each source is, and how many rows each load brought."""

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import charts, queries
from dashboard.db import query

# dlt's load status: 0 is a completed load (the only kind fct_pipeline_loads holds today)
LOAD_STATUS = {0: "loaded"}
# newest data older than this when it was loaded: a historical or demo load, not a daily one
HISTORICAL_LAG_DAYS = 30


@charts.cached
def loads_over_time(loads):
    """Each load as a point on its raw table's line, sized by its rows."""
    return px.scatter(
        loads,
        x="loaded_at",
        y="table_name",
        size="row_count",
        hover_data=["dlt_load_id", "row_count", "source_file_count"],
        title="Loads over time (point size: rows loaded)",
        **charts.by_source(loaded_at="Loaded at (UTC)"),
    )


@charts.cached
def rows_per_table(coverage):
    """Rows loaded per raw table, in each source's colour."""
    return px.bar(
        coverage,
        x="table_name",
        y="row_count",
        title="Rows loaded per raw table",
        **charts.by_source(row_count="Rows loaded"),
    )


st.title("Pipeline")

coverage = query(queries.SOURCE_COVERAGE)
loads = query(queries.PIPELINE_LOADS)
if loads.empty:
    st.info("No load recorded yet: run `make demo` or `make run`, then reload this page.")
    st.stop()

lag_days = loads["data_lag_hours"].min() / 24
if lag_days > HISTORICAL_LAG_DAYS:
    st.info(
        f"Every load ended at least {lag_days:,.0f} days before it ran: this is historical "
        "or demo data (`make demo` loads generated sample data for Oct 2024 – Mar 2025), not a "
        "daily feed.",
        icon=":material/science:",
    )

st.subheader("Freshness of each source")
figures = st.columns(len(coverage))
for column, row in zip(figures, coverage.itertuples(), strict=True):
    age_h = row.hours_since_last_data
    if row.load_status != "loaded":
        age = "not loaded"
    else:
        age = charts.number(age_h, "h") if age_h < 48 else charts.number(age_h / 24, "days")
    column.metric(
        f"{row.table_name}: age of the newest data",
        age,
        help=f"Newest instant {charts.timestamp(row.last_data_at)}, "
        f"last loaded {charts.timestamp(row.last_loaded_at)}.",
    )
st.caption(charts.source_note("hours or days between the newest data and now", charts.PIPELINE))

timeline = loads_over_time(loads)
charts.show(timeline, loads, "pipeline_loads", "rows per load; UTC instants", charts.PIPELINE)

counts = rows_per_table(coverage)
charts.show(counts, coverage, "rows_per_table", "rows", charts.PIPELINE)

st.subheader("Every load")
st.dataframe(
    pd.DataFrame(
        {
            "loaded_at": loads["loaded_at"].map(charts.timestamp),
            "source_name": loads["source_name"],
            "table_name": loads["table_name"],
            "load_status": loads["load_status"].map(lambda status: LOAD_STATUS.get(status, status)),
            "row_count": loads["row_count"].map(charts.number),
            "source_file_count": loads["source_file_count"],
            "oldest_data_at": loads["oldest_data_at"].map(charts.timestamp),
            "newest_data_at": loads["newest_data_at"].map(charts.timestamp),
            "dlt_load_id": loads["dlt_load_id"],
        }
    ).style.map(
        lambda source: f"color: {charts.SOURCE_COLOURS.get(source, 'inherit')}",
        subset=["source_name"],
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "loaded_at": "Loaded at",
        "source_name": "Source",
        "table_name": "Raw table",
        "load_status": "Status",
        "row_count": "Rows",
        "source_file_count": "Files",
        "oldest_data_at": "Oldest data",
        "newest_data_at": "Newest data",
        "dlt_load_id": "dlt load id",
    },
)
