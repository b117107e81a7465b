"""éCO2mix loads through `python -m extract eco2mix`: lineage, re-runs, bad chunks, kill -9.

Every test works in its own PostgreSQL database (named `<PGDATABASE>_t<random>`), landing zone
and dlt state folder, on the server the PG* variables name (`Warehouse` and the `standin` and
`make_warehouse` fixtures in conftest.py).
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.helpers import PROJECT_DIR, Warehouse, exports_requested

# --- fixtures --------------------------------------------------------------------------------

PERIOD = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-12-01"}
OCTOBER = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-11-01"}
# Paris months: October 2024 has 31 days and the hour the clocks go back (two half-hours more)
REGIONAL_ROWS = {"2024-10": 12 * (31 * 48 + 2), "2024-11": 12 * 30 * 48}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, standin):
    """The reference: one uninterrupted run over PERIOD."""
    warehouse = Warehouse(tmp_path_factory.mktemp("clean"), standin.base_url, **PERIOD)
    warehouse.extract()
    yield warehouse.fingerprint()
    warehouse.drop()


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
    # data/raw/ keeps the files; dlt's loaded packages keep no second, load-ready copy of them
    state = warehouse.workdir / "dlt"
    assert list(state.rglob("loaded/*")), "dlt kept no record of its loaded packages"
    assert [path.name for path in state.rglob("*.csv")] == []


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
    # the summary says what was skipped: every landed month of both datasets, already loaded;
    # the months not published yet (header-only answers) are asked again, never landed
    months = (today.year - start.year) * 12 + today.month - start.month + 1
    landed = list((warehouse.workdir / "raw" / "csv" / "eco2mix").rglob("*.csv"))
    assert 2 <= len(landed) < 2 * months
    skipped = re.search(r"eco2mix: .*; ([0-9,]+) landed file\(s\) already loaded", result.stdout)
    assert skipped and int(skipped.group(1)) == len(landed), result.stdout
    assert warehouse.fingerprint() == before
    assert warehouse.scalar("select count(*) from raw._dlt_loads") == loads


def test_new_files_are_appended_and_overlapping_ones_merged(make_warehouse, tmp_path):
    """A file whose keys cannot be in raw yet is COPYed straight in (no merge scratch table);
    a file overlapping loaded rows goes through the merge, so its rows replace theirs."""
    warehouse = make_warehouse(**OCTOBER)
    warehouse.extract()
    assert warehouse.scalar("select to_regclass('raw_staging.eco2mix_regional')") is None
    republished = tmp_path / "republished.csv"
    republished.write_text(
        "code_insee_region;nature;date_heure;consommation\n"
        "11;Données définitives;2024-10-15T12:00:00+00:00;1234\n"
    )
    warehouse.extract(SOURCES__ECO2MIX__LOCAL_PATH=str(republished))
    assert warehouse.scalar("select to_regclass('raw_staging.eco2mix_regional')") is not None
    assert warehouse.scalar("select count(*) from raw.eco2mix_regional") == REGIONAL_ROWS["2024-10"]
    assert warehouse.sql(
        "select nature, consommation, _source_file from raw.eco2mix_regional"
        " where code_insee_region = '11' and date_heure = '2024-10-15T12:00:00+00:00'"
    ) == [("Données définitives", "1234", "csv/eco2mix/local/republished.csv")]
    assert warehouse.duplicate_keys() == 0


def test_files_sharing_keys_in_one_run_the_later_one_wins(make_warehouse, tmp_path):
    """One load keeps one row per key, by line number: so a file overlapping a file of the
    same run is loaded by a second load, and its rows replace the earlier file's."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    header = "code_insee_region;nature;date_heure;consommation\n"
    hours = [f"2024-10-15T{hour:02d}:00:00+00:00" for hour in range(6)]
    (downloads / "1-first.csv").write_text(
        header + "".join(f"11;Données consolidées;{hour};100\n" for hour in hours[:4])
    )
    (downloads / "2-second.csv").write_text(
        header + "".join(f"11;Données définitives;{hour};200\n" for hour in hours[2:])
    )
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(downloads))
    result = warehouse.extract()
    assert "1 file(s) share keys with a file just loaded" in result.stdout
    assert warehouse.sql(
        "select consommation, nature, count(*) from raw.eco2mix_regional group by 1, 2 order by 1"
    ) == [("100", "Données consolidées", 2), ("200", "Données définitives", 4)]
    assert warehouse.scalar("select count(*) from raw._dlt_loads") == 2
    again = warehouse.extract()
    assert "nothing new to load; 2 landed file(s) already loaded" in again.stdout


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
        assert time.monotonic() < deadline, "the kill point never came:\n" + "".join(lines)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)


def kill_while_locked(warehouse, table: str, ready) -> None:
    """Hold `table` in share mode (reads pass, writes wait), kill the run once its load waits
    on that lock and `ready()`."""
    args, env = warehouse.command()
    lock = warehouse.connect()
    lock.cursor().execute(f"lock table {table} in share mode")

    def waits(out: str) -> bool:
        if "eco2mix: load" not in out:
            return False
        waiting = warehouse.scalar(
            "select count(*) from pg_stat_activity where datname = %s and wait_event_type = 'Lock'",
            (warehouse.name,),
        )
        return bool(waiting) and ready()

    try:
        kill_when(args, env, waits)
        # A statement waiting on a lock outlives its killed client; end those sessions first,
        # or the waiting INSERT of the load's completion would still commit once unlocked.
        warehouse.sql(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = %s and pid not in (%s, pg_backend_pid())",
            (warehouse.name, lock.get_backend_pid()),
        )
    finally:
        lock.rollback()
        lock.close()


def orphan_rows(warehouse) -> int:
    """Rows of a load that never completed (their load id is not in `_dlt_loads`)."""
    return warehouse.scalar(
        "select count(*) from raw.eco2mix_regional as r where not exists"
        " (select 1 from raw._dlt_loads as l where l.load_id = r._dlt_load_id)"
    )


@pytest.mark.parametrize("moment", ["download", "normalize", "load", "load-committed"])
def test_a_run_killed_then_rerun_equals_a_clean_run(make_warehouse, standin, clean_run, moment):
    """The second month is new, so its file is appended (COPY straight into the table): a
    replayed job would load it twice; the re-run must throw the interrupted load away."""
    import time

    warehouse = make_warehouse(**PERIOD)
    if moment.startswith("load"):
        warehouse.extract(**OCTOBER)  # raw exists; November will be appended
    if moment == "download":
        standin.export_faults[:] = ["stall"]
        since = len(standin.request_log)

        def downloading(out: str) -> bool:
            if not exports_requested(standin, since):
                return False
            time.sleep(0.3)  # the body is half sent, then the service stalls
            return True

        kill_when(*warehouse.command(), downloading)
    elif moment == "normalize":
        kill_when(*warehouse.command(), lambda out: "eco2mix: normalize" in out)
    elif moment == "load":  # the COPY into the table waits on a lock
        kill_while_locked(warehouse, "raw.eco2mix_regional", lambda: True)
    else:  # the rows are committed, the load's completion record waits on a lock
        november = "select count(*) from raw.eco2mix_regional where _source_file like '%11.csv'"
        kill_while_locked(warehouse, "raw._dlt_loads", lambda: warehouse.scalar(november) > 0)
        assert orphan_rows(warehouse) == REGIONAL_ROWS["2024-11"]
    standin.export_faults.clear()
    result = warehouse.extract()
    assert warehouse.fingerprint() == clean_run
    assert warehouse.duplicate_keys() == 0
    assert orphan_rows(warehouse) == 0
    if moment.startswith("load"):
        assert "interrupted run left a load unfinished" in result.stdout
