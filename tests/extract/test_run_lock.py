"""One run at a time (issue 16): the run lock (extract/lock.py) and the concurrency drill.

- a second run fails at once with one line naming the holder, or waits a bounded time;
- the advisory lock holds between two landing zones (two machines) sharing one warehouse;
- a killed holder leaves no lock, and the command it ran dies with it;
- a `python -m extract` inside `python -m extract.lock -- ...` (make demo) does not wait for
  its own parent;
- the drill: two extracts started together, 10 times, from empty and incrementally: raw ends
  identical to one clean run, with no duplicate key;
- duplicates an older version left in raw are removed by the next run (the newer load wins).
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import PROJECT_DIR, Warehouse

REGIONAL = {"SOURCES__ECO2MIX__DATASETS": '["eco2mix-regional-cons-def"]'}
SEPTEMBER = {**REGIONAL, "SOURCES__START_DATE": "2024-09-01", "SOURCES__END_DATE": "2024-10-01"}
TWO_MONTHS = {**REGIONAL, "SOURCES__START_DATE": "2024-09-01", "SOURCES__END_DATE": "2024-11-01"}
BUSY = re.compile(
    r"error: another wattlake run holds the warehouse "
    r"\(pid (?P<pid>\d+) on host (?P<host>\S+) since (?P<since>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\)"
)
HOLD_SCRIPT = "import os, sys, time; print(os.getpid(), flush=True); time.sleep(120)"


@pytest.fixture(scope="module")
def clean_two_months(tmp_path_factory, standin):
    """The reference: one clean run over September and October 2024 (regional only)."""
    warehouse = Warehouse(tmp_path_factory.mktemp("clean"), standin.base_url)
    warehouse.extract(**TWO_MONTHS)
    yield warehouse
    warehouse.drop()


def hold_lock(warehouse: Warehouse, **config: str) -> tuple[subprocess.Popen, int]:
    """`python -m extract.lock -- <a command that sleeps>`; returns it and its child's pid,
    once the lock is held."""
    holder = subprocess.Popen(
        [sys.executable, "-m", "extract.lock", "--", sys.executable, "-c", HOLD_SCRIPT],
        cwd=PROJECT_DIR,
        env={**warehouse.env, **config},
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(holder.stdout.readline())  # printed once the lock is held
    return holder, child


def landed_files(warehouse: Warehouse) -> list[Path]:
    landing = warehouse.workdir / "raw"
    return sorted(p for p in landing.rglob("*") if p.is_file() and p.name != ".lock")


def test_a_second_run_fails_at_once_naming_the_holder(make_warehouse):
    warehouse = make_warehouse()
    holder, _ = hold_lock(warehouse)
    try:
        started = time.monotonic()
        result = warehouse.extract(check=False, **SEPTEMBER)
        elapsed = time.monotonic() - started
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    assert result.returncode == 3, result.stderr
    match = BUSY.fullmatch(result.stderr.strip())
    assert match, result.stderr
    assert int(match["pid"]) == holder.pid and match["host"] == socket.gethostname()
    assert elapsed < 15
    assert landed_files(warehouse) == []  # nothing fetched
    assert all(count == 0 for count, _ in warehouse.fingerprint().values())
    warehouse.extract(**SEPTEMBER)  # the lock went with its holder
    assert warehouse.fingerprint()["eco2mix_regional"][0] > 0


def test_the_warehouse_lock_holds_between_two_landing_zones(make_warehouse, tmp_path):
    """Two machines share a warehouse, not a landing zone: the advisory lock tells them apart
    (the holder is named from its PostgreSQL session)."""
    warehouse = make_warehouse()
    holder, _ = hold_lock(warehouse, WATTLAKE_LANDING_DIR=str(tmp_path / "other-machine"))
    try:
        result = warehouse.extract(check=False, **SEPTEMBER)
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    assert result.returncode == 3
    match = BUSY.fullmatch(result.stderr.strip())
    assert match and int(match["pid"]) == holder.pid, result.stderr
    assert landed_files(warehouse) == []


def test_a_second_run_waits_a_bounded_time_with_a_message(make_warehouse):
    warehouse = make_warehouse()
    holder, _ = hold_lock(warehouse)
    try:
        started = time.monotonic()
        result = warehouse.extract(check=False, WATTLAKE_LOCK_WAIT_SECONDS="1.5", **SEPTEMBER)
        elapsed = time.monotonic() - started
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    assert result.returncode == 3
    assert "waiting up to 1.5 s (WATTLAKE_LOCK_WAIT_SECONDS)" in result.stdout
    assert BUSY.fullmatch(result.stderr.strip()), result.stderr
    assert 1.5 <= elapsed < 20


def test_a_waiting_run_goes_on_once_the_holder_ends(make_warehouse):
    warehouse = make_warehouse()
    holder, _ = hold_lock(warehouse)
    args, env = warehouse.command(WATTLAKE_LOCK_WAIT_SECONDS="60", **SEPTEMBER)
    waiting = subprocess.Popen(args, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True)
    assert "waiting up to 60 s" in waiting.stdout.readline()
    holder.terminate()
    holder.wait(timeout=30)
    out, _ = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, out
    assert warehouse.duplicate_keys() == 0 and warehouse.fingerprint()["eco2mix_regional"][0]


def test_a_killed_holder_leaves_no_lock_and_its_command_dies_with_it(make_warehouse):
    warehouse = make_warehouse()
    holder, child = hold_lock(warehouse)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # (a zombie until init reaps it: its state says so)
    proc = Path(f"/proc/{child}/stat")
    state = proc.read_text().split()[2] if proc.exists() else "gone"
    assert state in ("gone", "Z"), "the command outlived the lock"
    warehouse.extract(**SEPTEMBER)


def test_an_extract_inside_the_lock_wrapper_does_not_wait_for_it(make_warehouse):
    """`make demo` holds the lock for extract and dbt together; its extract runs inside."""
    warehouse = make_warehouse()
    result = subprocess.run(
        [sys.executable, "-m", "extract.lock", "--", sys.executable, "-m", "extract", "eco2mix"],
        cwd=PROJECT_DIR,
        env={**warehouse.env, **SEPTEMBER},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert warehouse.fingerprint()["eco2mix_regional"][0] > 0
    # a stale token (no holder) is no pass: the run takes the lock itself
    warehouse.extract(WATTLAKE_LOCK_TOKEN="0123456789abcdef", **SEPTEMBER)


# --- the drill -------------------------------------------------------------------------------

ROUNDS = [("from empty", i) for i in range(5)] + [("incremental", i) for i in range(5)]


@pytest.mark.parametrize(("start", "round_"), ROUNDS, ids=[f"{s}-{i}" for s, i in ROUNDS])
def test_two_extracts_started_together_load_once(make_warehouse, clean_two_months, start, round_):
    """Every other round waits for the lock instead of failing at once."""
    warehouse = make_warehouse()
    if start == "incremental":
        warehouse.extract(**SEPTEMBER)
    wait = {"WATTLAKE_LOCK_WAIT_SECONDS": "120" if round_ % 2 else "0"}
    args, env = warehouse.command(**TWO_MONTHS, **wait)
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    runs = [subprocess.Popen(args, cwd=PROJECT_DIR, env=env, **pipes) for _ in range(2)]
    results = [(run, *run.communicate(timeout=300)) for run in runs]
    codes = sorted(run.returncode for run, _, _ in results)
    assert codes in ([0, 0], [0, 3]), [err for _, _, err in results]
    for run, _, err in results:
        if run.returncode == 3:
            assert BUSY.fullmatch(err.strip()), err
    assert warehouse.duplicate_keys() == 0
    assert warehouse.fingerprint() == clean_two_months.fingerprint()


# --- duplicates from an older version --------------------------------------------------------


def test_duplicates_left_by_an_older_version_are_removed_the_newer_load_wins(make_warehouse):
    warehouse = make_warehouse()
    warehouse.extract(**SEPTEMBER)
    with warehouse.connect() as conn, conn.cursor() as cur:
        # what two unlocked runs did: the same rows appended again, by a later load
        cur.execute("select load_id from raw._dlt_loads order by load_id desc limit 1")
        newer = str(float(cur.fetchone()[0]) + 1)
        cur.execute(
            "insert into raw._dlt_loads (load_id, schema_name, status, inserted_at,"
            " schema_version_hash) select %s, schema_name, status, inserted_at,"
            " schema_version_hash from raw._dlt_loads limit 1",
            (newer,),
        )
        cur.execute("select column_name from information_schema.columns where"
                    " table_schema = 'raw' and table_name = 'eco2mix_regional'")  # fmt: skip
        columns = [name for (name,) in cur.fetchall()]
        values = {"_dlt_load_id": "%s", "_dlt_id": "_dlt_id || '.again'", "consommation": "'1'"}
        quoted = [f'"{name}"' for name in columns]
        selected = ", ".join(values.get(name, f'"{name}"') for name in columns)
        cur.execute(
            f"insert into raw.eco2mix_regional ({', '.join(quoted)})"
            f" select {selected} from raw.eco2mix_regional"
            f" where date_heure < '2024-09-03'",
            (newer,),
        )
        copied = cur.rowcount
    assert copied > 0 and warehouse.duplicate_keys() == copied
    shutil.rmtree(warehouse.workdir / "dlt")  # the older version's install knew no check
    result = warehouse.extract(**SEPTEMBER)
    assert f"raw.eco2mix_regional held {copied:,} duplicate row(s)" in result.stderr
    assert "the newer load's row kept" in result.stderr
    assert warehouse.duplicate_keys() == 0
    kept = warehouse.sql(
        "select distinct consommation, _dlt_load_id from raw.eco2mix_regional"
        " where date_heure < '2024-09-03'"
    )
    assert kept == [("1", newer)]
    assert "duplicate" not in warehouse.extract(**SEPTEMBER).stderr  # found once, gone
