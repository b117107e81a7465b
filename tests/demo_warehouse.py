"""The dashboard tests' demo warehouse, built once per test session and shared by both files.

A private database `<PGDATABASE>_dashboard` (dropped and re-created) on the server the PG*
variables name, filled like `make demo`: the stand-in (with a fixed `today`) serves October 2024
to March 2025, `python -m extract` loads it, `python -m extract.reader_role` makes the reader role
(one of its own, `<database>_reader`, with a password of its own), `dbt build` makes the marts.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.helpers import PROJECT_DIR, create_reader_role, demo_env, reader_env

DBT = Path(sys.executable).with_name("dbt")
DBT_DIR = PROJECT_DIR / "dbt_project"
APP = str(PROJECT_DIR / "dashboard" / "streamlit_app.py")
DEMO_START, DEMO_END = "2024-10-01", "2025-04-01"
STANDIN_TODAY = "2026-01-01"  # long after DEMO_END: every demo month is published


@dataclass(frozen=True)
class DemoWarehouse:
    """A built demo warehouse: `env` holds the admin PG* settings of its private database."""

    env: dict[str, str]

    @property
    def database(self) -> str:
        return self.env["PGDATABASE"]

    def connect(self, user: str | None = None, password: str | None = None, dbname: str = ""):
        return psycopg2.connect(
            host=self.env["PGHOST"],
            port=self.env["PGPORT"],
            user=user or self.env.get("PGUSER", "postgres"),
            password=password if password is not None else self.env.get("PGPASSWORD", ""),
            dbname=dbname or self.database,
            connect_timeout=5,
        )

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        with closing(self.connect()) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall()

    def admin(self, statement: str) -> None:
        """One statement on the server's `postgres` database, outside a transaction."""
        conn = self.connect(dbname="postgres")
        conn.autocommit = True
        with closing(conn), conn.cursor() as cur:
            cur.execute(statement)

    def dashboard_env(self) -> dict[str, str]:
        """The settings the dashboard reads: PG* and the reader role it logs in as."""
        names = (
            "PGHOST",
            "PGPORT",
            "PGDATABASE",
            "WATTLAKE_READER_USER",
            "WATTLAKE_READER_PASSWORD",
        )
        return {name: self.env[name] for name in names}


def _run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed:\n{result.stdout[-6000:]}\n{result.stderr}"
        )


def build_demo_warehouse(workdir: Path) -> DemoWarehouse:
    """Drop, re-create and fill `<PGDATABASE>_dashboard` with the demo data."""
    env = dict(os.environ)
    env.setdefault("PGPORT", "5432")
    env["PGDATABASE"] = f"{os.environ.get('PGDATABASE', 'wattlake')}_dashboard"
    env.update(reader_env(env["PGDATABASE"]))
    warehouse = DemoWarehouse(env)
    warehouse.admin(f'drop database if exists "{warehouse.database}" with (force)')
    warehouse.admin(f'create database "{warehouse.database}"')

    from tools.standin.server import start_standin

    server, base_url = start_standin(port=0, today=STANDIN_TODAY)
    env.update(demo_env(workdir, base_url, DEMO_START, DEMO_END))
    try:
        _run([sys.executable, "-m", "extract"], env, PROJECT_DIR)
        create_reader_role(env)
        _run([str(DBT), "build"], env, DBT_DIR)
    finally:
        server.stop()
    return warehouse


_built: list[DemoWarehouse] = []


def demo_warehouse_once(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    """The session's demo warehouse: built by the first test that asks, then reused."""
    if not _built:
        _built.append(build_demo_warehouse(tmp_path_factory.mktemp("dashboard_warehouse")))
    return _built[0]


def app_on_demo_warehouse(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> DemoWarehouse:
    """The app's PG* settings point at the demo warehouse; no cached result from another test."""
    warehouse = demo_warehouse_once(tmp_path_factory)
    for name, value in warehouse.dashboard_env().items():
        monkeypatch.setenv(name, value)
    st.cache_data.clear()
    return warehouse


def _row_key(row: tuple) -> str:
    """Sort key ignoring floats: rows are keyed by their dates, codes and timestamps."""
    return repr(tuple(None if isinstance(value, float) else value for value in row))


def same_rows(left: list[tuple], right: list[tuple]) -> bool:
    """Equal rows, floats equal to 1e-9 relative: a float sum depends on the order rows are
    added in (last bits only), and an index scan adds them in another order than a full scan."""
    return len(left) == len(right) and all(
        len(a) == len(b)
        and all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
            if isinstance(x, float) and isinstance(y, float)
            else x == y
            for x, y in zip(a, b, strict=True)
        )
        for a, b in zip(left, right, strict=True)
    )


def snapshot(env: dict[str, str]) -> dict[str, dict[str, list[tuple]]]:
    """Every row of every incremental-fed relation, order-free, keyed by schema.table; not the
    load log marts, whose row counts are taken at the first build after each load."""
    warehouse = DemoWarehouse(env)
    tables = warehouse.sql(
        "select table_schema || '.' || table_name from information_schema.tables"
        " where table_schema in ('intermediate', 'marts') and table_type = 'BASE TABLE'"
        " and table_name not in ('fct_pipeline_loads', 'fct_source_coverage') order by 1"
    )
    result = {}
    for (table,) in tables:
        rows = warehouse.sql(f"select * from {table}")
        result[table] = sorted((tuple(row) for row in rows), key=_row_key)
    return result


def run_checked(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-4000:]}"
    return result


def run_page(page: str, query_params: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(f"app_pages/{page}.py")
    app.query_params.update(query_params or {})
    return app.run()
