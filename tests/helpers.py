"""Helpers the tests share: project paths, connections to the session's PostgreSQL, private
warehouses for extract runs (`Warehouse`: a database, landing zone and dlt state of their own on
the server the PG* variables name), and the reader role's checks."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
REAL_SAMPLES = PROJECT_DIR.parent / "shared" / "real-samples"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_module(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m <arguments>` in the project folder, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", *arguments],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def embedded_server(action: str, env: dict[str, str]) -> None:
    """`python -m extract.warehouse <action>` (start, stop) on the embedded server that `env`
    places (WATTLAKE_EMBEDDED_DIR, PGPORT); PGHOST is left out, as it would name another one."""
    result = run_module(
        ["extract.warehouse", action],
        {name: value for name, value in env.items() if name != "PGHOST"}
        | {"PYTHONPATH": str(PROJECT_DIR)},
    )
    if result.returncode != 0:
        raise RuntimeError(f"python -m extract.warehouse {action}: {result.stderr.strip()}")


# --- extract runs in private warehouses ----------------------------------------------------

TABLES = (
    "eco2mix_regional",
    "eco2mix_national",
    "eco2mix_regional_tr",
    "eco2mix_national_tr",
    "open_meteo_hourly",
)


def connect(dbname: str):
    """A connection to `dbname` on the server the PG* variables name (the session's server)."""
    return psycopg2.connect(
        host=os.environ["PGHOST"],
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "postgres"),
        password=os.environ.get("PGPASSWORD", ""),
        dbname=dbname,
        connect_timeout=5,
    )


def admin():
    """An autocommit connection to the server's `postgres` database, to create and drop ours."""
    conn = connect("postgres")
    conn.autocommit = True
    return conn


class Warehouse:
    """A private database plus the folders and environment of one project checkout."""

    def __init__(self, workdir: Path, base_url: str = "", **config: str) -> None:
        self.name = f"{os.environ.get('PGDATABASE', 'wattlake')}_t{uuid.uuid4().hex[:8]}"
        self.workdir = workdir
        self.env = dict(os.environ)
        self.env.update(
            PGDATABASE=self.name,
            PYTHONPATH=str(PROJECT_DIR),
            WATTLAKE_LANDING_DIR=str(workdir / "raw"),
            WATTLAKE_STATE_DIR=str(workdir / "dlt"),
            SOURCES__ECO2MIX__BASE_URL=base_url or "http://127.0.0.1:9",
            SOURCES__ECO2MIX__HTTP_RETRIES="2",
            SOURCES__ECO2MIX__HTTP_BACKOFF_S="0.1",
            SOURCES__OPEN_METEO__BASE_URL=base_url or "http://127.0.0.1:9",
            SOURCES__OPEN_METEO__FORECAST_BASE_URL=base_url or "http://127.0.0.1:9",
            SOURCES__OPEN_METEO__PACING="off",  # a stand-in on this machine needs no pacing
        )
        self.env.update(config)  # a setting given here wins over the defaults above
        with closing(admin()) as conn, conn.cursor() as cur:
            cur.execute(f'create database "{self.name}"')

    def drop(self) -> None:
        with closing(admin()) as conn, conn.cursor() as cur:
            cur.execute(f'drop database if exists "{self.name}" with (force)')

    def command(
        self, sources: tuple[str, ...] = ("eco2mix",), **config: str
    ) -> tuple[list[str], dict[str, str]]:
        return [sys.executable, "-m", "extract", *sources], {**self.env, **config}

    def extract(
        self, check: bool = True, sources: tuple[str, ...] = ("eco2mix",), **config: str
    ) -> subprocess.CompletedProcess:
        args, env = self.command(sources, **config)
        result = subprocess.run(
            args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode != 0:
            raise AssertionError(f"extract failed:\n{result.stdout}\n{result.stderr}")
        return result

    def connect(self):
        return connect(self.name)

    def dbt(self, *arguments: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """`dbt <arguments>` on this warehouse, with dbt's target and logs in its folder."""
        result = subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), *arguments],
            cwd=PROJECT_DIR / "dbt_project",
            env={**self.env, **private_paths(self.workdir)},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(arguments)} failed:\n{result.stdout[-6000:]}")
        return result

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        conn = self.connect()
        with closing(conn), conn.cursor() as cur:
            cur.execute(statement, params or None)
            return cur.fetchall() if cur.description else []

    def scalar(self, statement: str, params: tuple = ()):
        return self.sql(statement, params)[0][0]

    def fingerprint(self) -> dict[str, tuple]:
        """Row count and checksum of each raw table, without the per-load columns."""
        result = {}
        for table in TABLES:
            columns = [
                row[0]
                for row in self.sql(
                    "select column_name from information_schema.columns where table_schema = 'raw'"
                    " and table_name = %s and column_name not in ('_dlt_load_id', '_dlt_id')"
                    " order by column_name",
                    (table,),
                )
            ]
            if not columns:
                result[table] = (0, None)
                continue
            row = ", ".join(f'"{name}"' for name in columns)
            result[table] = tuple(
                self.sql(
                    f"select count(*), md5(string_agg(md5(row({row})::text), '' order by"
                    f" md5(row({row})::text))) from raw.{table}"
                )[0]
            )
        return result

    def duplicate_keys(self) -> int:
        return int(
            self.scalar(
                "select count(*) from (select 1 from raw.eco2mix_regional"
                " group by code_insee_region, date_heure having count(*) > 1) as d"
            )
        )


def exports_requested(server, since: int) -> list[str]:
    return [path for path in server.request_log[since:] if "/exports/" in path]


def private_paths(workdir: Path, project: Path = PROJECT_DIR) -> dict[str, str]:
    """Settings that give a run of `project` its own landing zone, dlt state and dbt target."""
    return {
        "WATTLAKE_LANDING_DIR": str(workdir / "raw"),
        "WATTLAKE_STATE_DIR": str(workdir / "dlt"),
        "DBT_TARGET_PATH": str(workdir / "dbt_target"),
        "DBT_LOG_PATH": str(workdir / "dbt_logs"),
        "DBT_PROFILES_DIR": str(project / "dbt_project"),
        "PYTHONPATH": str(project),
    }


def demo_env(workdir: Path, base_url: str, start: str, end: str = "") -> dict[str, str]:
    """The settings of a private chain run: its own landing zone, dlt state and dbt target,
    both sources served by the stand-in at `base_url`, the period [start, end)."""
    return {
        **private_paths(workdir),
        "SOURCES__ECO2MIX__BASE_URL": base_url,
        "SOURCES__OPEN_METEO__BASE_URL": base_url,
        "SOURCES__OPEN_METEO__FORECAST_BASE_URL": base_url,
        "SOURCES__OPEN_METEO__PACING": "off",
        "SOURCES__START_DATE": start,
        **({"SOURCES__END_DATE": end} if end else {}),
    }


def reader_env(database: str) -> dict[str, str]:
    """A reader role of `database`'s own (roles are server-wide, and the tests share one server),
    with an explicit password, so tests never write .streamlit/secrets.toml. The password holds
    what once broke the role's dbt hook: a quote and `$wattlake$`."""
    return {
        "WATTLAKE_READER_USER": f"{database}_reader",
        "WATTLAKE_READER_PASSWORD": f"{secrets.token_urlsafe(16)}'$wattlake$",
    }


def create_reader_role(env: dict[str, str]) -> None:
    """What `make transform` does before dbt, then the test's password set explicitly: a role of
    that name left by an earlier run would keep its own password otherwise."""
    for command in ("ensure", "set-password"):
        result = run_module(["extract.reader_role", command], env)
        if result.returncode != 0:
            raise AssertionError(f"extract.reader_role {command} failed:\n{result.stderr}")


OUTSIDE_MARTS = (
    "raw.eco2mix_regional",
    "raw._dlt_loads",
    "staging.stg_eco2mix__regional_consumption",
    "staging.regions",
    "intermediate.int_consumption_averaged_to_hours",
)


def assert_reads_marts_only(cur) -> None:
    """The reader role (on an autocommit session, read-only turned off: it is only the role's
    default) reads marts and nothing else, and cannot write even there."""
    cur.execute("set default_transaction_read_only = off")
    cur.execute("select count(*) from marts.fct_consumption_daily")
    assert cur.fetchone()[0] > 0
    for table in OUTSIDE_MARTS:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(f"select 1 from {table} limit 1")
    for statement in ("delete from marts.dim_regions", "create table marts.scratch (x integer)"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(statement)
