"""The dashboard on a demo warehouse: every page, the shared filters, the failure pages, the role.

Streamlit's AppTest runs the app in this process against `<PGDATABASE>_dashboard`
(tests/demo_warehouse.py), logging in as the reader role like the real app.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date

import psycopg2
import psycopg2.errors
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.demo_warehouse import DemoWarehouse, app_on_demo_warehouse, run_page
from tests.helpers import assert_reads_marts_only

pytestmark = pytest.mark.e2e


# page file -> (Plotly charts, metric labels that must be shown)
PAGES = {
    "overview": (0, ["Consumption (TWh)", "CO2 intensity", "Renewable share", "France (GW)"]),
    "temperature": (3, ["winter 2024-2025: slope (MW/°C)", "2024-2025: r²", "2024-2025: days"]),
    "energy_mix": (2, []),
    "regions": (2, ["France: production − consumption (GWh)"]),
    "renewables": (3, []),
    "peaks": (1, ["highest peak (MW)", "Temperature at that hour (°C)"]),
    "pipeline": (2, ["eco2mix_regional: age of the newest data", "open_meteo_hourly: age of"]),
}
FILTERED_PAGES = [page for page in PAGES if page != "pipeline"]


@pytest.fixture
def app_env(tmp_path_factory, monkeypatch) -> DemoWarehouse:
    return app_on_demo_warehouse(tmp_path_factory, monkeypatch)


def shown(app: AppTest) -> list[str]:
    """What a reader sees of the data: every chart's data and every figure's value."""
    charts = [json.loads(chart.proto.spec)["data"] for chart in app.get("plotly_chart")]
    return [json.dumps(charts, sort_keys=True), *(metric.value for metric in app.metric)]


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_its_charts_figures_and_sources(app_env, page: str) -> None:
    app = run_page(page)
    assert not app.exception, app.exception
    assert not app.error, [error.value for error in app.error]
    charts, metric_labels = PAGES[page]
    assert len(app.get("plotly_chart")) == charts
    assert len(app.get("download_button")) >= charts  # one CSV per chart, at least
    labels = [metric.label for metric in app.metric]
    for expected in metric_labels:
        assert any(expected in label for label in labels), (expected, labels)
    captions = " ".join(caption.value for caption in app.caption)
    assert "Unit:" in captions
    assert "ODRÉ" in captions or "dlt" in captions
    assert "Licence Ouverte / Etalab 2.0" in captions and "CC BY 4.0" in captions  # frame credits


@pytest.mark.parametrize("page", FILTERED_PAGES)
def test_period_filter_changes_what_is_shown(app_env, page: str) -> None:
    whole = shown(run_page(page))
    january = run_page(page, {"period": ["2025-01-01", "2025-01-31"]})
    assert not january.exception, january.exception
    assert january.date_input(key="period").value == (date(2025, 1, 1), date(2025, 1, 31))
    assert shown(january) != whole


def test_region_and_granularity_widgets_change_what_is_shown(app_env) -> None:
    app = run_page("temperature")
    before = shown(app)
    app.multiselect(key="regions").select("53").run()  # Bretagne
    assert not app.exception, app.exception
    after_region = shown(app)
    assert after_region != before
    assert any("Bretagne" in name for name in after_region[0].split('"'))
    app.segmented_control(key="granularity").set_value("month").run()
    assert shown(app) != after_region


LINK = {
    "period": ["2024-12-01", "2025-02-28"],
    "regions": ["France", "Bretagne"],
    "granularity": "month",
}


@pytest.mark.parametrize("page", FILTERED_PAGES)
def test_a_link_reproduces_the_view(app_env, page: str) -> None:
    """The filters are read from the URL (region names, ISO dates) and stay in it."""
    app = run_page(page, LINK)
    assert not app.exception, app.exception
    assert app.date_input(key="period").value == (date(2024, 12, 1), date(2025, 2, 28))
    widgets = {widget.key: widget.value for widget in app.multiselect}
    widgets |= {widget.key: widget.value for widget in app.get("segmented_control")}
    assert widgets.get("regions", ["FR", "53"]) == ["FR", "53"]
    assert widgets.get("granularity", "month") == "month"
    assert app.query_params == LINK  # a page keeps the filters it does not use in the URL


def test_a_wrong_link_falls_back_to_the_defaults_and_says_so(app_env) -> None:
    bad = {"period": ["2010-01-01", "2030-01-01"], "regions": ["Atlantis"], "granularity": "year"}
    app = run_page("temperature", bad)
    assert not app.exception, app.exception
    assert app.multiselect(key="regions").value == ["FR"]
    assert app.segmented_control(key="granularity").value == "week"
    start, end = app.date_input(key="period").value
    assert date(2024, 10, 1) <= start < end <= date(2025, 4, 1)  # the data's own coverage
    assert len(app.get("plotly_chart")) == PAGES["temperature"][0]
    assert [warning.value for warning in app.warning] == [
        f"Period clamped to the data: {start} → {end}.",
        "Unknown region 'Atlantis' ignored.",
        "No known region in the link: showing France.",
        "Unknown granularity 'year' ignored: day, week or month (showing week).",
    ]


@pytest.mark.parametrize(
    ("link", "period", "regions", "notice"),
    [
        ({"regions": ["FR", "53"]}, None, ["FR", "53"], None),
        ({"regions": ["France", "Bretagne", "11"]}, None, ["FR", "53", "11"], None),
        (  # the demo's data starts on 1 October 2024, its first Paris day
            {"period": ["2024-09-25", "2024-10-07"]},
            (date(2024, 10, 1), date(2024, 10, 7)),
            ["FR"],
            "Period clamped to the data: 2024-10-01 → 2024-10-07.",
        ),
        (
            {"period": ["2025-01-31", "2025-01-01"]},
            (date(2025, 1, 1), date(2025, 1, 31)),
            ["FR"],
            "Reversed period: swapped to 2025-01-01 → 2025-01-31.",
        ),
        ({"period": "garbage"}, None, ["FR"], "Unreadable period 'garbage' ignored"),
        (
            {"period": ["2025-01-01", "garbage"]},
            None,
            ["FR"],
            "Unreadable period '2025-01-01 → garbage' ignored",
        ),
    ],
    ids=["codes", "names and a code", "clamped", "reversed", "garbage", "half-valid"],
)
def test_a_link_value_is_corrected_with_a_notice_naming_it(
    app_env, link, period, regions, notice
) -> None:
    app = run_page("temperature", link)
    assert not app.exception, app.exception
    assert app.multiselect(key="regions").value == regions
    if period:
        assert app.date_input(key="period").value == period
    notices = [warning.value for warning in app.warning]
    assert notices == ([] if notice is None else [notices[0]]) and (
        notice is None or notice in notices[0]
    )
    assert len(app.get("plotly_chart")) == PAGES["temperature"][0]


@pytest.mark.parametrize(
    "period",
    [["2025-01-15", "2025-01-15"], ["2025-01-06", "2025-01-12"], ["2025-01-01", "2025-01-31"]],
    ids=["one day", "one week", "one month"],
)
@pytest.mark.parametrize("page", FILTERED_PAGES)
def test_every_period_gives_a_chart_or_a_note(app_env, page, period) -> None:
    app = run_page(page, {"period": period, "granularity": "week"})
    assert not app.exception, app.exception
    assert not app.error, [error.value for error in app.error]
    assert app.get("plotly_chart") or app.metric or app.info
    if page == "temperature":  # the season's slope, fitted by the warehouse, even for one day
        assert any("winter 2024-2025: slope" in metric.label for metric in app.metric)


def test_the_coverage_table_says_which_raw_tables_are_not_loaded(app_env) -> None:
    # the demo loads no real-time dataset: its two raw tables do not exist, and say so
    table = run_page("overview").dataframe[0].value.set_index("table_name")
    assert table.loc["eco2mix_regional_tr", "status"] == "not loaded"
    assert table.loc["eco2mix_national_tr", "first_data_at"] == "–"
    assert set(table.loc[["eco2mix_regional", "open_meteo_hourly"], "status"]) == {"loaded"}
    pipeline = run_page("pipeline")
    ages = {metric.label: metric.value for metric in pipeline.metric}
    assert ages["eco2mix_national_tr: age of the newest data"] == "not loaded"


def test_the_peaks_follow_the_regions_of_the_link(app_env) -> None:
    app = run_page("peaks", LINK)
    table = app.dataframe[0].value
    assert set(table["region_name"]) == {"France", "Bretagne"}
    assert table["consumption_date"].between(date(2024, 12, 1), date(2025, 2, 28)).all()


def test_missing_or_empty_marts_show_which_command_to_run(app_env, monkeypatch) -> None:
    from dashboard.db import connection_settings

    reader = connection_settings()["WATTLAKE_READER_USER"]
    empty, unbuilt = f"{app_env.database}_empty", f"{app_env.database}_unbuilt"
    for database in (empty, unbuilt):
        app_env.admin(f'drop database if exists "{database}" with (force)')
        app_env.admin(f'create database "{database}"')
    # `empty`: the marts exist (readable by the reader role) but hold no row yet
    conn = app_env.connect(dbname=empty)
    with closing(conn), conn, conn.cursor() as cur:
        cur.execute(
            "create schema marts;"
            " create table marts.fct_consumption_daily"
            " (consumption_date date, region_code text, is_complete_day boolean);"
            f" grant usage on schema marts to {reader};"
            f" grant select on all tables in schema marts to {reader}"
        )
    try:
        for database in (empty, unbuilt, f"{app_env.database}_never_created"):
            monkeypatch.setenv("PGDATABASE", database)
            st.cache_data.clear()
            app = run_page("overview")
            assert not app.exception, app.exception
            messages = [info.value for info in app.info]
            assert len(messages) == 1, (database, messages)
            assert "make demo" in messages[0] and "make run" in messages[0]
            assert not app.get("plotly_chart") and not app.metric
    finally:
        for database in (empty, unbuilt):
            app_env.admin(f'drop database if exists "{database}" with (force)')


def test_database_down_gives_one_message_then_recovers(app_env, monkeypatch) -> None:
    """A server of one's own (not the embedded one `make db` starts) is named with the PG*
    settings that point at it; tests/dashboard/test_dashboard_units.py checks the `make db`
    advice."""
    from tests.helpers import free_port

    port = free_port()
    monkeypatch.setenv("PGPORT", str(port))
    app = run_page("temperature")
    assert not app.exception, app.exception
    assert len(app.error) == 1
    assert f"{app_env.env['PGHOST']}:{port}" in app.error[0].value
    assert "PGHOST, PGPORT and PGDATABASE" in app.error[0].value
    assert "make db" not in app.error[0].value
    # the server is back: the same session shows the page, no restart, no stale error
    monkeypatch.setenv("PGPORT", app_env.env["PGPORT"])
    app.run()
    assert not app.error and len(app.get("plotly_chart")) == PAGES["temperature"][0]


def test_reader_role_reads_marts_only(app_env) -> None:
    from dashboard import db

    with closing(db._connect()) as conn, conn.cursor() as cur:
        cur.execute("select current_user, current_setting('search_path')")
        assert cur.fetchone() == (db.connection_settings()["WATTLAKE_READER_USER"], "marts")
        # the session is read-only, and the role has no grant outside marts nor to write
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            cur.execute("delete from dim_regions")
        cur.execute("set default_transaction_read_only = off")
        assert_reads_marts_only(cur)


def test_queries_bind_every_value(app_env) -> None:
    """Every BENCH_EXAMPLES query runs on the demo marts with its example parameters."""
    from dashboard import queries

    settings = {**app_env.dashboard_env()}
    with (
        closing(
            psycopg2.connect(
                host=settings["PGHOST"],
                port=settings["PGPORT"],
                dbname=settings["PGDATABASE"],
                user=app_env.env.get("PGUSER", "postgres"),
                password=app_env.env.get("PGPASSWORD", ""),
            )
        ) as conn,
        conn.cursor() as cur,
    ):
        names = {name for name in dir(queries) if name.isupper() and not name.startswith("_")}
        sorts = {name for name in names if name.endswith("_SORT")}
        assert sorted(queries.BENCH_EXAMPLES) == sorted(names - sorts - {"BENCH_EXAMPLES"})
        assert {name.removesuffix("_SORT") for name in sorts} <= names  # NAME_SORT sorts NAME
        for name, params in queries.BENCH_EXAMPLES.items():
            statement = getattr(queries, name)
            assert statement.count("%s") == len(params), name
            cur.execute(statement, params)
