"""End to end: `make demo` on a private embedded server, and on the server PG* names.

Each chain runs in its own database, landing zone, dlt state and dbt target folder, so the tests
never touch the developer's own warehouse or data/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from tests.helpers import PROJECT_DIR, admin, free_port, reader_env

pytestmark = pytest.mark.e2e

PG_VARIABLES = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")
DEMO_DAYS = 182  # 2024-10-01 → 2025-04-01 (exclusive), the Makefile's demo period
REGIONS = 12


class Chain:
    """One isolated run of the project: its environment and a way to query its warehouse."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.env = env
        self.workdir = workdir

    def make(self, *targets: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["make", "--no-print-directory", *targets],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"make {' '.join(targets)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(
            host=self.env.get("PGHOST", "127.0.0.1"),
            port=self.env["PGPORT"],
            user=self.env.get("PGUSER", "postgres"),
            password=self.env.get("PGPASSWORD", ""),
            dbname=self.env["PGDATABASE"],
        )
        with closing(conn), conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall()

    def scalar(self, statement: str, params: tuple = ()):
        return self.sql(statement, params)[0][0]


def isolated_env(workdir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in PG_VARIABLES}
    env.update(
        WATTLAKE_LANDING_DIR=str(workdir / "raw"),
        DBT_TARGET_PATH=str(workdir / "dbt_target"),
        DBT_LOG_PATH=str(workdir / "dbt_logs"),
        DBT_STATE=str(workdir / "dbt_state"),
        STANDIN_PORT=str(free_port()),
    )
    return env


@pytest.fixture(scope="module")
def embedded_chain(tmp_path_factory) -> Chain:
    workdir = tmp_path_factory.mktemp("embedded")
    env = isolated_env(workdir)
    env.update(
        WATTLAKE_EMBEDDED_DIR=str(workdir / "pgdata"),
        PGPORT=str(free_port()),  # PGHOST unset: the embedded server, on a private port
        PGDATABASE="wattlake_e2e",
    )
    env.update(reader_env(env["PGDATABASE"]))
    chain = Chain(env, workdir)
    chain.make("demo")
    yield chain
    chain.make("db-stop", check=False)


@pytest.fixture(scope="module")
def external_chain(tmp_path_factory) -> Chain:
    workdir = tmp_path_factory.mktemp("external")
    env = isolated_env(workdir)
    env.update({name: os.environ[name] for name in PG_VARIABLES if name in os.environ})
    env.setdefault("PGPORT", "5432")
    env["PGDATABASE"] = f"{os.environ.get('PGDATABASE', 'wattlake')}_e2e"
    env.update(reader_env(env["PGDATABASE"]))  # a role left by an earlier run keeps its password
    with closing(admin()) as conn, conn.cursor() as cur:
        cur.execute(f'drop database if exists "{env["PGDATABASE"]}" with (force)')
    chain = Chain(env, workdir)
    chain.make("demo")
    return chain


def check_demo_warehouse(chain: Chain) -> None:
    regional = chain.scalar("select count(*) from raw.eco2mix_regional")
    assert regional == REGIONS * DEMO_DAYS * 48
    assert chain.scalar("select count(distinct code_insee_region) from raw.eco2mix_regional") == 12
    national = chain.scalar("select count(*) from raw.eco2mix_national")
    assert national == DEMO_DAYS * 96
    points = chain.scalar("select count(distinct location_id) from raw.open_meteo_hourly")
    assert chain.scalar("select count(*) from raw.open_meteo_hourly") == points * DEMO_DAYS * 24
    assert chain.scalar("select count(*) from raw.eco2mix_regional where _source_file is null") == 0
    # The landing zone keeps every fetched file.
    landed = sorted(
        p.relative_to(chain.workdir / "raw").as_posix()
        for p in (chain.workdir / "raw").rglob("*.*")
    )
    assert "csv/eco2mix/eco2mix-regional-cons-def/2024-10.csv" in landed
    assert any(path.startswith("api/open_meteo/archive/2025-03/") for path in landed)
    schemas = {row[0] for row in chain.sql("select schema_name from information_schema.schemata")}
    assert {"raw", "staging", "intermediate", "marts"} <= schemas
    # the build's manifest, kept for the next make transform (selector new_data)
    assert (chain.workdir / "dbt_state" / "manifest.json").is_file()
    assert not any(name.startswith(("dbt_", "staging_", "marts_")) for name in schemas)
    # The mart joins consumption and temperature: every complete day has both.
    days = chain.sql(
        "select count(*), count(mean_temperature_c), count(distinct region_code)"
        " from marts.fct_consumption_daily where is_complete_day"
    )[0]
    assert days[0] >= (REGIONS + 1) * (DEMO_DAYS - 2)
    assert days[0] == days[1]
    assert days[2] == REGIONS + 1  # the 12 regions and France


def test_demo_chain_on_the_embedded_server(embedded_chain):
    check_demo_warehouse(embedded_chain)


def test_demo_chain_on_the_server_named_by_pg_variables(external_chain):
    check_demo_warehouse(external_chain)


def test_second_extract_adds_and_changes_nothing(embedded_chain):
    checksum = (
        "select count(*), md5(string_agg(md5(t::text), '' order by md5(t::text))) from raw.{} as t"
    )
    tables = ("eco2mix_regional", "eco2mix_national", "open_meteo_hourly")
    before = {table: embedded_chain.sql(checksum.format(table)) for table in tables}
    loads_before = embedded_chain.scalar("select count(*) from raw._dlt_loads")
    embedded_chain.make("demo")
    after = {table: embedded_chain.sql(checksum.format(table)) for table in tables}
    assert after == before
    assert embedded_chain.scalar("select count(*) from raw._dlt_loads") == loads_before


def test_run_without_network_fails_fast_in_one_line(embedded_chain):
    env = dict(embedded_chain.env)
    env["SOURCES__ECO2MIX__BASE_URL"] = f"http://127.0.0.1:{free_port()}"  # nobody listens
    result = subprocess.run(
        [sys.executable, "-m", "extract", "--check-network"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert env["SOURCES__ECO2MIX__BASE_URL"] in lines[0] and "make demo" in lines[0]


def test_dashboard_page_renders_the_mart(embedded_chain, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    for name in ("PGPORT", "PGDATABASE", "WATTLAKE_READER_USER", "WATTLAKE_READER_PASSWORD"):
        monkeypatch.setenv(name, embedded_chain.env[name])
    monkeypatch.delenv("PGHOST", raising=False)
    st.cache_data.clear()  # the dashboard's query cache is per process, not per database
    app = AppTest.from_file(str(PROJECT_DIR / "dashboard" / "streamlit_app.py"), default_timeout=60)
    app.switch_page("app_pages/temperature.py")
    app.run()
    assert not app.exception, app.exception
    assert len(app.get("plotly_chart")) == 3
    assert any("MW/°C" in metric.value for metric in app.metric)
    assert "Open-Meteo" in " ".join(caption.value for caption in app.caption)
