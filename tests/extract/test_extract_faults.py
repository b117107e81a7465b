"""Fault drills on the extract side (issue 7): each ends with raw equal to an uninterrupted run.

- the stand-in answers 20 % of requests with 429 (Retry-After) or 503, for both sources;
- PostgreSQL stops in the middle of a load (a private embedded server), then starts again;
- corrupt landing files (HTML, wrong delimiter, truncated CSV, JSON cut in half) are skipped,
  named in one line each, and the other files still load;
- a CSV with a new column and one with a missing column load (new column kept, missing null).

The kill -9 drills (download, normalize, load, after the rows are committed) are in
test_eco2mix_load.py and test_open_meteo_runs.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from tests.helpers import PROJECT_DIR, Warehouse, embedded_server, free_port

OCTOBER = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-11-01"}
PERIOD = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-12-01"}
BOTH = ("eco2mix", "open_meteo")


def both_sources(standin) -> dict[str, str]:
    """Settings for one `python -m extract` of both sources over October 2024."""
    return {
        **OCTOBER,
        "SOURCES__OPEN_METEO__BASE_URL": standin.base_url,
        "SOURCES__OPEN_METEO__FORECAST_BASE_URL": standin.base_url,
        "SOURCES__OPEN_METEO__PACING": "off",
        "SOURCES__OPEN_METEO__BACKOFF_SECONDS": "0.05",
        "SOURCES__OPEN_METEO__ATTEMPTS": "8",
        "SOURCES__ECO2MIX__HTTP_RETRIES": "8",
        "SOURCES__ECO2MIX__HTTP_BACKOFF_S": "0.05",
    }


@pytest.fixture(scope="module")
def clean_both(tmp_path_factory, standin):
    """The reference: an uninterrupted run of both sources, and its landing zone."""
    warehouse = Warehouse(tmp_path_factory.mktemp("clean"), standin.base_url)
    warehouse.extract(sources=BOTH, **both_sources(standin))
    yield warehouse
    warehouse.drop()


# --- flaky services --------------------------------------------------------------------------


def test_both_sources_complete_through_20_percent_of_429_and_503(make_warehouse, clean_both):
    from tools.standin.server import start_standin

    flaky, _ = start_standin(port=0, fail_rate=0.2, seed=4)  # seed 4: faults from the start
    try:
        warehouse = make_warehouse()
        warehouse.extract(sources=BOTH, **both_sources(flaky))
    finally:
        flaky.stop()
    asked_again = len(flaky.request_log) - len(set(flaky.request_log))
    assert asked_again >= 2  # the faults happened, and were retried
    assert warehouse.fingerprint() == clean_both.fingerprint()


# --- corrupt landing files -------------------------------------------------------------------


def corrupt(landing: Path) -> dict[str, Path]:
    """Damage four landed files in four ways; returns them by kind."""
    eco2mix = landing / "csv" / "eco2mix"
    regional = eco2mix / "eco2mix-regional-cons-def" / "2024-10.csv"
    national = eco2mix / "eco2mix-national-cons-def" / "2024-10.csv"
    weather = sorted((landing / "api" / "open_meteo" / "archive").rglob("*.json"))
    bad = {"html": regional, "comma": national, "json": weather[0], "truncated": weather[1]}
    bad["html"].write_text("<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>")
    bad["comma"].write_text(bad["comma"].read_text().replace(";", ","))
    body = bad["json"].read_bytes()
    bad["json"].write_bytes(body[: len(body) // 2])
    body = bad["truncated"].read_bytes()
    bad["truncated"].write_bytes(body[: len(body) * 2 // 3])
    return bad


def rows_per_file(warehouse: Warehouse) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in ("eco2mix_regional", "eco2mix_national", "open_meteo_hourly"):
        if warehouse.scalar("select to_regclass(%s) is not null", (f"raw.{table}",)):
            for source_file, rows in warehouse.sql(
                f"select _source_file, count(*) from raw.{table} group by 1"
            ):
                counts[source_file] = rows
    return counts


def test_corrupt_landing_files_are_named_skipped_and_retried(make_warehouse, standin, clean_both):
    warehouse = make_warehouse()
    landing = warehouse.workdir / "raw"
    shutil.copytree(clean_both.workdir / "raw", landing)  # settled months: nothing to fetch
    bad = corrupt(landing)
    since = len(standin.request_log)
    result = warehouse.extract(check=False, sources=BOTH, **both_sources(standin))
    assert len(standin.request_log) == since
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(bad), result.stderr
    for kind, path in bad.items():
        (line,) = [line for line in lines if str(path) in line]
        assert line.startswith("error: ") and "re-run" in line, line
        assert {"html": "holds an HTML page", "comma": "delimited by ','"}.get(kind, "") in line
    # nothing of a bad file is in raw, every other file is, whole
    relative = {path.relative_to(landing).as_posix() for path in bad.values()}
    expected = rows_per_file(clean_both)
    assert rows_per_file(warehouse) == {
        name: rows for name, rows in expected.items() if name not in relative
    }
    # the files fixed (fetched again, here copied back), the next run loads exactly them
    for path in bad.values():
        shutil.copyfile(clean_both.workdir / "raw" / path.relative_to(landing), path)
    warehouse.extract(sources=BOTH, **both_sources(standin))
    assert warehouse.fingerprint() == clean_both.fingerprint()


# --- changing columns ------------------------------------------------------------------------

HEADER = "code_insee_region;nature;date_heure;consommation;eolien"
WITH_NEW_COLUMN = (
    HEADER + ";hydrogene\n11;Données définitives;2024-10-01T00:00:00+00:00;7001;12;3\n"
)
WITHOUT_A_COLUMN = (
    "code_insee_region;nature;date_heure;eolien\n"
    "11;Données définitives;2024-11-01T00:00:00+00:00;14\n"
)


def test_a_new_column_is_kept_and_a_missing_one_is_null(make_warehouse, tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "a-new-column.csv").write_text(WITH_NEW_COLUMN)
    (downloads / "b-missing-column.csv").write_text(WITHOUT_A_COLUMN)
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(downloads))
    warehouse.extract()
    rows = warehouse.sql(
        "select date_heure, consommation, eolien, hydrogene from raw.eco2mix_regional"
        " order by date_heure"
    )
    assert rows == [
        ("2024-10-01T00:00:00+00:00", "7001", "12", "3"),
        ("2024-11-01T00:00:00+00:00", None, "14", None),
    ]


# --- PostgreSQL stopped during a load --------------------------------------------------------


class EmbeddedWarehouse(Warehouse):
    """The same runs on a private embedded PostgreSQL (PGHOST unset), which a test can stop."""

    def __init__(self, workdir: Path, base_url: str, **config: str) -> None:
        self.name = "wattlake"
        self.workdir = workdir
        self.port = free_port()
        self.env = {name: value for name, value in os.environ.items() if name[:2] != "PG"}
        self.env.update(
            PGPORT=str(self.port),
            PGDATABASE=self.name,
            PYTHONPATH=str(PROJECT_DIR),
            WATTLAKE_EMBEDDED_DIR=str(workdir / "pgdata"),
            WATTLAKE_LANDING_DIR=str(workdir / "raw"),
            WATTLAKE_STATE_DIR=str(workdir / "dlt"),
            SOURCES__ECO2MIX__BASE_URL=base_url,
            SOURCES__ECO2MIX__HTTP_RETRIES="2",
            SOURCES__ECO2MIX__HTTP_BACKOFF_S="0.1",
            **config,
        )
        self.server("start")

    def server(self, action: str) -> None:
        embedded_server(action, self.env)

    def connect(self):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=self.name)

    def drop(self) -> None:
        self.server("stop")


def test_postgres_stopped_during_a_load_fails_in_one_line_then_recovers(
    tmp_path, standin, make_warehouse
):
    reference = make_warehouse(**PERIOD)
    reference.extract()
    warehouse = EmbeddedWarehouse(tmp_path / "embedded", standin.base_url, **PERIOD)
    try:
        warehouse.extract(**OCTOBER)  # raw exists; November's rows will be COPYed in
        lock = warehouse.connect()
        lock.cursor().execute("lock table raw.eco2mix_regional in share mode")
        args, env = warehouse.command()
        run = subprocess.Popen(
            args, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not warehouse.scalar(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
        ):
            assert time.monotonic() < deadline and run.poll() is None, "the load never started"
            time.sleep(0.1)
        warehouse.server("stop")  # mid-load: the COPY is waiting on the lock
        _, err = run.communicate(timeout=120)
        assert run.returncode == 1
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: Lost the connection"), err
        assert "start it again" in lines[0] and "re-run" in lines[0]
        warehouse.server("start")
        warehouse.extract()
        assert warehouse.fingerprint() == reference.fingerprint()
        assert warehouse.duplicate_keys() == 0
    finally:
        warehouse.drop()


# --- the stand-in's faults from the command line ---------------------------------------------


def test_standin_cli_plays_a_script_of_open_meteo_faults():
    import urllib.error
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "tools.standin", "--port", "0", "--meteo-faults", "503,timeout",
         "--fault-delay", "0.5"],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )  # fmt: skip
    try:
        base_url = process.stdout.readline().split(" on ")[1].split()[0]
        url = f"{base_url}/v1/forecast?latitude=1&longitude=2&past_days=1&hourly=temperature_2m"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 503
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=5) as answer:  # "timeout": late, then 200
            assert answer.status == 200
        assert time.monotonic() - started >= 0.5
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- a connection cut in the middle of a body ------------------------------------------------


def test_a_body_cut_mid_transfer_is_retried_like_a_timeout(tmp_path):
    """The first answer promises 2 kB and breaks off after 10 bytes; the second is whole."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from extract.http import Client
    from extract.landing import download

    body = b"date_heure;code_insee_region\n" + b"2024-10-01T00:00:00+00:00;11\n" * 70
    answers: list[int] = []

    class CutOnce(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answers.append(len(answers))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if len(answers) == 1:
                self.wfile.write(body[:10])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), CutOnce)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/export.csv"
        landed = download(
            Client(retries=2, backoff_s=0.01), url, {}, tmp_path / "x.csv", lambda _: None
        )
    finally:
        server.shutdown()
        server.server_close()
    assert len(answers) == 2
    assert landed.read_bytes() == body


def test_two_starts_at_once_on_a_new_folder_give_one_server(tmp_path: Path) -> None:
    """Two `make db` at once (make test and make test-spark started together): before the lock,
    both ran initdb on the same new folder and the second failed with a traceback."""
    env = {name: value for name, value in os.environ.items() if name[:2] != "PG"}
    env.update(
        PGPORT=str(free_port()),
        PYTHONPATH=str(PROJECT_DIR),
        WATTLAKE_EMBEDDED_DIR=str(tmp_path / "pgdata"),
    )
    command = [sys.executable, "-m", "extract.warehouse", "start"]
    starts = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        answers = [start.communicate(timeout=120) for start in starts]
        assert [start.returncode for start in starts] == [0, 0], answers
        assert all("Warehouse ready" in out for out, _ in answers)
    finally:
        embedded_server("stop", env)
