"""`python -m extract open_meteo` against the stand-in, into private databases on PG*'s server.

Each run has its own database and landing zone. A clean run is the reference: a re-run, a run
through faults, a run that failed then resumed, a run killed with SIGKILL then resumed and a run
stopped by its budget then resumed must all end with exactly its data.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from extract.periods import paris_midnight
from extract.sources.open_meteo.plan import weather_points
from tests.helpers import PROJECT_DIR, connect
from tools.standin.server import StandinServer, start_standin

TODAY = dt.datetime.now(dt.UTC).date()
START = TODAY - dt.timedelta(days=70)  # three archive months, the forecast's past days
# the hours of the Paris days [START, TODAY): 25 on the day the clocks go back, 23 in spring
HOURS = int(
    (paris_midnight(TODAY).astimezone(dt.UTC) - paris_midnight(START)).total_seconds() // 3600
)
POINTS = len(weather_points())
DATA = (
    "location_id, time, temperature_2m, apparent_temperature, wind_speed_100m,"
    " shortwave_radiation, cloud_cover, precipitation, latitude, longitude, _source_file"
)
CHECKSUM = (
    f"select count(*), md5(string_agg(concat_ws('|', {DATA}), ',' order by location_id, time))"
)


class Run:
    """One private warehouse and landing zone, and the stand-in its extract talks to."""

    def __init__(self, name: str, tmp_path: Path, server: StandinServer) -> None:
        self.database = f"{os.environ.get('PGDATABASE', 'wattlake')}_om_{name}"
        self.landing = tmp_path / name
        self.server = server
        admin = connect("postgres")
        admin.autocommit = True
        with closing(admin), admin.cursor() as cur:
            cur.execute(f'drop database if exists "{self.database}" with (force)')

    def env(self, start: dt.date = START, end: dt.date = TODAY, **settings: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PGDATABASE=self.database,
            WATTLAKE_LANDING_DIR=str(self.landing),
            SOURCES__OPEN_METEO__BASE_URL=self.server.base_url,
            SOURCES__OPEN_METEO__FORECAST_BASE_URL=self.server.base_url,
            SOURCES__START_DATE=start.isoformat(),
            SOURCES__END_DATE=end.isoformat(),
            SOURCES__OPEN_METEO__REFRESH_DAYS="20",
            SOURCES__OPEN_METEO__BACKOFF_SECONDS="0.05",
            SOURCES__OPEN_METEO__TIMEOUT_SECONDS="1",
            SOURCES__OPEN_METEO__ATTEMPTS="3",
            SOURCES__OPEN_METEO__PACING="off",
        )
        env.update({f"SOURCES__OPEN_METEO__{k.upper()}": v for k, v in settings.items()})
        return env

    def extract(
        self, start: dt.date = START, end: dt.date = TODAY, **settings: str
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "extract", "open_meteo"],
            cwd=PROJECT_DIR,
            env=self.env(start, end, **settings),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def sql(self, statement: str) -> tuple:
        with closing(connect(self.database)) as conn, conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchone()

    def data(self) -> tuple:
        return self.sql(f"{CHECKSUM} from raw.open_meteo_hourly")

    def values(self) -> tuple:
        """The rows without their lineage (`_source_file`)."""
        return self.sql(f"{CHECKSUM.replace(', _source_file', '')} from raw.open_meteo_hourly")

    def landed(self) -> list[Path]:
        return sorted((self.landing / "api" / "open_meteo").rglob("*.json"))


@pytest.fixture(scope="module")
def server():
    server, _ = start_standin(today=TODAY, fault_delay_s=2)
    yield server
    server.stop()


@pytest.fixture
def standin(server: StandinServer) -> StandinServer:
    server.meteo_faults.clear()
    server.slow = False
    return server


@pytest.fixture(scope="module")
def clean(server: StandinServer, tmp_path_factory) -> Run:
    run = Run("clean", tmp_path_factory.mktemp("om"), server)
    served_before, cost_before = len(server.meteo_served), server.meteo_cost
    result = run.extract()
    assert result.returncode == 0, result.stderr
    run.first_output = result.stdout
    run.requests = len(server.meteo_served) - served_before
    run.cost = server.meteo_cost - cost_before
    return run


def test_a_clean_run_prices_itself_and_loads_one_row_per_point_per_hour(clean: Run):
    assert clean.data()[0] == POINTS * HOURS
    assert clean.sql("select count(distinct (location_id, time)) from raw.open_meteo_hourly") == (
        POINTS * HOURS,
    )
    announced = next(line for line in clean.first_output.splitlines() if "API calls" in line)
    assert f"{clean.requests} of {clean.requests} requests to make" in announced
    assert f"{clean.cost:,.1f} API calls" in announced  # what it said is what the API counted
    assert f"{clean.requests}/{clean.requests} requests" in clean.first_output
    assert len(clean.landed()) == clean.requests


def test_a_re_run_refetches_only_the_last_days_and_changes_nothing(clean: Run, standin):
    before, loads = clean.data(), clean.sql("select count(*) from raw._dlt_loads")
    served = len(standin.meteo_served)
    result = clean.extract()
    assert result.returncode == 0, result.stderr
    again = standin.meteo_served[served:]
    assert 0 < len(again) < clean.requests
    settled = [p for p in again if f"start_date={START:%Y-%m}" in p]
    assert settled == []  # the first month is older than refresh_days: not asked again
    assert clean.data() == before
    assert clean.sql("select count(*) from raw._dlt_loads") == loads


MID_MONTH = (START.replace(day=1) + dt.timedelta(days=32)).replace(day=15)  # an archive month


@pytest.mark.parametrize("cut", ["end", "start"])
def test_a_month_cut_short_then_asked_whole_has_the_clean_data(clean, standin, tmp_path, cut):
    """A run whose end (or start) date falls mid-month, then a run over the whole period: every
    hour of that month is loaded, with the values of one clean run (the hours the first run
    loaded keep their file: a chunk's new file yields only the rows it adds or changes)."""
    run = Run(f"cut_{cut}", tmp_path, standin)
    result = run.extract(end=MID_MONTH) if cut == "end" else run.extract(start=MID_MONTH)
    assert result.returncode == 0, result.stderr
    assert 0 < run.values()[0] < clean.values()[0]
    result = run.extract()
    assert result.returncode == 0, result.stderr
    assert run.values() == clean.values()
    assert run.sql("select count(distinct (location_id, time)) from raw.open_meteo_hourly") == (
        POINTS * HOURS,
    )


def test_a_settled_month_landed_whole_is_not_asked_again_for_fewer_days(clean, standin, tmp_path):
    run = Run("fewer_days", tmp_path, standin)
    assert run.extract().returncode == 0
    before, files = run.data(), run.landed()
    served = len(standin.meteo_served)
    result = run.extract(end=MID_MONTH)  # both months settled: the landed answers cover it
    assert result.returncode == 0, result.stderr
    assert standin.meteo_served[served:] == []
    assert "nothing new to load" in result.stdout
    assert run.landed() == files
    assert run.extract().returncode == 0
    assert run.data() == before == clean.data()


def test_transient_faults_are_retried_and_the_data_is_complete(clean, standin, tmp_path):
    standin.meteo_faults.extend(["429", "500", "timeout", "truncate", "drop", "503"])
    run = Run("faults", tmp_path, standin)
    result = run.extract(attempts="7")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("; retry ") == 6
    assert run.data() == clean.data()


def test_a_failed_run_exits_in_one_line_keeps_its_chunks_and_the_next_run_resumes(
    clean, standin, tmp_path
):
    standin.meteo_faults.extend(["ok", "ok", "ok", "500", "500", "500"])
    run = Run("failed", tmp_path, standin)
    result = run.extract()
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "failed 3 times" in result.stderr and "HTTP 500" in result.stderr
    kept = {path: path.stat().st_mtime_ns for path in run.landed()}
    assert len(kept) == 3
    served = len(standin.meteo_served)
    result = run.extract()
    assert result.returncode == 0, result.stderr
    assert len(standin.meteo_served) - served < clean.requests  # settled chunks not asked again
    assert run.data() == clean.data()


def test_a_run_killed_with_sigkill_then_re_run_has_exactly_the_clean_data(clean, standin, tmp_path):
    standin.fault_delay_s = 0.3
    standin.meteo_faults.append("slow")  # every answer takes 0.3 s
    run = Run("killed", tmp_path, standin)
    process = subprocess.Popen(
        [sys.executable, "-m", "extract", "open_meteo"],
        cwd=PROJECT_DIR,
        env=run.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(run.landed()) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=10)
        standin.fault_delay_s = 2
    assert 5 <= len(run.landed()) < clean.requests
    standin.meteo_faults.append("ok")
    standin.slow = False
    result = run.extract()
    assert result.returncode == 0, result.stderr
    assert run.data() == clean.data()


def test_the_daily_budget_stops_the_run_cleanly_and_the_next_day_resumes(clean, standin, tmp_path):
    run = Run("budget", tmp_path, standin)
    limited = {"pacing": "on", "calls_per_minute": "1e9", "calls_per_hour": "1e9"}
    result = run.extract(calls_per_day="60", **limited)
    assert result.returncode == 0, result.stderr
    fits = re.search(r"only (\d+) requests fit in today's budget", result.stdout)
    assert fits and "stopped cleanly: the daily budget of 60 calls" in result.stdout
    assert len(run.landed()) == int(fits[1]) > 0
    assert 0 < run.data()[0] < clean.data()[0]  # what it fetched is loaded
    result = run.extract(calls_per_day="1e9", **limited)  # "tomorrow"
    assert result.returncode == 0, result.stderr
    assert run.data() == clean.data()


def test_an_http_400_names_the_api_reason_in_one_line(standin, tmp_path):
    """The archive asked for days after today (a start before 1940 is clipped now, so the
    archive's lower bound cannot be crossed any more: its upper bound is)."""
    run = Run("refused", tmp_path, standin)
    env_period = {
        "SOURCES__START_DATE": str(TODAY - dt.timedelta(days=2)),
        "SOURCES__END_DATE": str(TODAY + dt.timedelta(days=3)),
        "SOURCES__OPEN_METEO__ARCHIVE_DELAY_DAYS": "-3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "extract", "open_meteo"],
        cwd=PROJECT_DIR,
        env={**run.env(), **env_period},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "HTTP 400" in lines[0] and "out of allowed range" in lines[0]


def test_pacing_auto_from_an_older_config_fails_in_one_line_naming_the_fix(standin, tmp_path):
    run = Run("auto", tmp_path, standin)
    served = len(standin.meteo_served)
    result = run.extract(pacing="auto")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pacing is 'auto'" in lines[0] and "use on or off" in lines[0]
    assert len(standin.meteo_served) == served and run.landed() == []
