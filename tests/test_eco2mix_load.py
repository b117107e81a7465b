"""Helpers for the éCO2mix load tests: private databases, a stand-in, runs of `python -m extract`.

Every test works in its own PostgreSQL database (named `<PGDATABASE>_t<random>`), landing zone
and dlt state folder, on the server the PG* variables name; without PGHOST they are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from tests.conftest import PROJECT_DIR

TABLES = ("eco2mix_regional", "eco2mix_national")


def admin():
    conn = psycopg2.connect(
        host=os.environ["PGHOST"],
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "postgres"),
        password=os.environ.get("PGPASSWORD", ""),
        dbname="postgres",
    )
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
            **config,
        )
        with closing(admin()) as conn, conn.cursor() as cur:
            cur.execute(f'create database "{self.name}"')

    def drop(self) -> None:
        with closing(admin()) as conn, conn.cursor() as cur:
            cur.execute(f'drop database if exists "{self.name}" with (force)')

    def command(self, **config: str) -> tuple[list[str], dict[str, str]]:
        return [sys.executable, "-m", "extract", "eco2mix"], {**self.env, **config}

    def extract(self, check: bool = True, **config: str) -> subprocess.CompletedProcess:
        args, env = self.command(**config)
        result = subprocess.run(
            args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode != 0:
            raise AssertionError(f"extract failed:\n{result.stdout}\n{result.stderr}")
        return result

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(
            host=os.environ["PGHOST"],
            port=os.environ.get("PGPORT", "5432"),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
            dbname=self.name,
        )
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
        return self.scalar(
            "select count(*) from (select 1 from raw.eco2mix_regional"
            " group by code_insee_region, date_heure having count(*) > 1) as d"
        )


def needs_postgres() -> None:
    if "PGHOST" not in os.environ:
        pytest.skip("PGHOST is not set: these tests need a PostgreSQL server")


# --- fixtures --------------------------------------------------------------------------------

PERIOD = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-12-01"}
OCTOBER = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-11-01"}
REGIONAL_ROWS = {"2024-10": 12 * 31 * 48, "2024-11": 12 * 30 * 48}  # UTC months


@pytest.fixture(scope="module")
def standin():
    from extract.standin.server import start_standin

    server, _ = start_standin(port=0)
    yield server
    server.stop()


@pytest.fixture
def make_warehouse(tmp_path, standin):
    needs_postgres()
    made: list[Warehouse] = []

    def make(name: str = "w", **config: str) -> Warehouse:
        warehouse = Warehouse(tmp_path / name, standin.base_url, **config)
        made.append(warehouse)
        return warehouse

    yield make
    standin.export_faults.clear()
    for warehouse in made:
        warehouse.drop()


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, standin):
    """The reference: one uninterrupted run over PERIOD."""
    needs_postgres()
    warehouse = Warehouse(tmp_path_factory.mktemp("clean"), standin.base_url, **PERIOD)
    warehouse.extract()
    yield warehouse.fingerprint()
    warehouse.drop()


def exports_requested(server, since: int) -> list[str]:
    return [path for path in server.request_log[since:] if "/exports/" in path]


# --- loads -----------------------------------------------------------------------------------


def test_load_records_file_row_and_load_of_every_row(make_warehouse, clean_run):
    warehouse = make_warehouse(**PERIOD)
    warehouse.extract()
    assert warehouse.fingerprint() == clean_run
    assert warehouse.scalar("select count(*) from raw.eco2mix_regional") == sum(
        REGIONAL_ROWS.values()
    )
    files = warehouse.sql(
        "select _source_file, count(*), count(distinct _dlt_load_id), min(_source_row)"
        " from raw.eco2mix_regional group by 1 order by 1"
    )
    assert files == [
        (f"csv/eco2mix/eco2mix-regional-cons-def/{month}.csv", rows, 1, 1)
        for month, rows in REGIONAL_ROWS.items()
    ]
    assert warehouse.duplicate_keys() == 0
    # the repeated local hour at the autumn change is two rows, told apart by date_heure
    repeated = warehouse.sql(
        "select count(distinct date_heure) from raw.eco2mix_national"
        " where date = '2024-10-27' and heure = '02:00'"
    )
    assert repeated == [(2,)]


def test_second_run_fetches_only_the_open_month_and_changes_nothing(make_warehouse, standin):
    import datetime as dt

    today = dt.date.today()
    start = (today - dt.timedelta(days=100)).replace(day=1)
    warehouse = make_warehouse(SOURCES__START_DATE=str(start), SOURCES__END_DATE="")
    warehouse.extract()
    before, loads = warehouse.fingerprint(), warehouse.scalar("select count(*) from raw._dlt_loads")
    since = len(standin.request_log)
    result = warehouse.extract()
    fetched = exports_requested(standin, since)
    # settled months (ended more than 45 days ago) are not fetched again
    settled = today - dt.timedelta(days=45)
    assert all(
        f"{settled.replace(day=1):%Y-%m}" <= path.split("date_heure+%3E%3D+%27")[1][:7]
        for path in fetched
    ), fetched
    assert len(fetched) < 2 * 4
    assert "nothing new to load" in result.stdout
    assert warehouse.fingerprint() == before
    assert warehouse.scalar("select count(*) from raw._dlt_loads") == loads


# --- failures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        (["html"], "HTML page instead of CSV"),
        (["comma"], "delimited by ','"),
        (["truncated"], "truncated"),
        (["503", "503", "503"], "HTTP 503"),
    ],
    ids=["html-page", "wrong-delimiter", "truncated", "http-503-gives-up"],
)
def test_a_bad_chunk_fails_in_one_line_and_leaves_raw_as_it_was(
    make_warehouse, standin, faults, expected
):
    warehouse = make_warehouse(**OCTOBER)
    warehouse.extract()
    before = warehouse.fingerprint()
    standin.export_faults[:] = faults
    result = warehouse.extract(check=False, **PERIOD)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0] and "/exports/csv" in lines[0] and "re-run" in lines[0]
    assert warehouse.fingerprint() == before
    assert not list((warehouse.workdir / "raw").rglob("2024-11.csv"))  # nothing bad landed
    standin.export_faults.clear()
    warehouse.extract(**PERIOD)  # and the next run, the service healed, completes the period
    assert warehouse.scalar("select count(*) from raw.eco2mix_regional") == sum(
        REGIONAL_ROWS.values()
    )


def test_http_429_is_retried_after_the_delay_the_service_asks(make_warehouse, standin, clean_run):
    import time

    warehouse = make_warehouse(**PERIOD)
    standin.export_faults[:] = ["429", "503"]
    since, started = len(standin.request_log), time.monotonic()
    warehouse.extract()
    assert time.monotonic() - started >= 1.0  # Retry-After: 1
    assert len(exports_requested(standin, since)) == 4 + 2
    assert warehouse.fingerprint() == clean_run


def test_a_bad_local_file_names_the_file_and_the_fix(make_warehouse, tmp_path):
    bad = tmp_path / "download.csv"
    bad.write_text("Code INSEE région;Région;Date - Heure;Consommation (MW)\n11;IDF;2024\n")
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(bad))
    result = warehouse.extract(check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "download.csv" in lines[0] and "download it again" in lines[0]


# --- kill -9 and re-run ----------------------------------------------------------------------


def kill_when(args, env, ready) -> None:
    """Start a run, SIGKILL it as soon as `ready(line or None)` says so."""
    import signal
    import threading
    import time

    process = subprocess.Popen(
        args,
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if ready("".join(lines)):
                break
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before the kill point:\n" + "".join(lines)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)


@pytest.mark.parametrize("moment", ["download", "normalize", "load"])
def test_a_run_killed_then_rerun_equals_a_clean_run(make_warehouse, standin, clean_run, moment):
    import time

    warehouse = make_warehouse(**PERIOD)
    if moment == "load":
        warehouse.extract(**OCTOBER)  # raw exists; the killed run's merge waits on a lock
    args, env = warehouse.command()
    lock = None
    if moment == "download":
        standin.export_faults[:] = ["stall"]
        since = len(standin.request_log)

        def downloading(out: str) -> bool:
            if not exports_requested(standin, since):
                return False
            time.sleep(0.3)  # the body is half sent, then the service stalls
            return True

        kill_when(args, env, downloading)
    elif moment == "normalize":
        kill_when(args, env, lambda out: "eco2mix: normalize" in out)
    else:
        lock = psycopg2.connect(
            host=os.environ["PGHOST"],
            port=os.environ.get("PGPORT", "5432"),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
            dbname=warehouse.name,
        )
        lock.cursor().execute("lock table raw.eco2mix_regional in access exclusive mode")

        def merge_waits(out: str) -> bool:
            if "eco2mix: load" not in out:
                return False
            return bool(
                warehouse.scalar(
                    "select count(*) from pg_stat_activity where datname = %s"
                    " and wait_event_type = 'Lock'",
                    (warehouse.name,),
                )
            )

        kill_when(args, env, merge_waits)
        lock.rollback()
        lock.close()
    standin.export_faults.clear()
    warehouse.extract()
    assert warehouse.fingerprint() == clean_run
    assert warehouse.duplicate_keys() == 0
