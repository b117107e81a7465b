"""Fault drills on the transformation layer (issue 7): dbt killed mid-way, and columns that come
and go in the raw files.

Each drill works on its own copy of the session's demo warehouse (`create database ... template`,
see tests/demo_warehouse.py), so the shared warehouse the dashboard tests read stays intact.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.demo_warehouse import DBT as DBT_PATH
from tests.demo_warehouse import DBT_DIR, DemoWarehouse, run_checked, same_rows, snapshot
from tests.helpers import PROJECT_DIR

pytestmark = pytest.mark.e2e

DBT = str(DBT_PATH)
# dbt is killed once this many models have been built by the full refresh (of about twenty).
KILL_AFTER_MODELS = 8


def test_dbt_build_killed_mid_way_then_rerun_gives_the_same_marts(copy: DemoWarehouse) -> None:
    before = snapshot(copy.env)
    assert len(before) >= 10 and all(before.values())

    process = subprocess.Popen(
        [DBT, "--no-use-colors", "build", "--full-refresh"],
        cwd=DBT_DIR,
        env=copy.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    built, started = 0, time.monotonic()
    for line in process.stdout:
        built += " OK created " in line
        if built >= KILL_AFTER_MODELS:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert built >= KILL_AFTER_MODELS, "dbt ended before the kill: nothing was interrupted"
    assert time.monotonic() - started < 600

    run_checked([DBT, "build"], copy.env, DBT_DIR)
    after = snapshot(copy.env)
    assert [t for t in before if not same_rows(after.get(t, []), before[t])] == []
    leftovers = copy.sql(
        "select table_schema, table_name from information_schema.tables "
        "where table_name like '%%__dbt_tmp%%' or table_name like '%%__dbt_backup%%'"
    )
    assert leftovers == []


def test_a_new_column_and_a_missing_column_load_and_dbt_stays_green(
    copy: DemoWarehouse, tmp_path: Path
) -> None:
    """Two hand-downloaded files of March 2025 (inside the incremental window): one with a column
    the warehouse has never seen, one without `pompage`. Both load; the new column is kept in raw,
    the missing one is null; the incremental `dbt build` (models and every test) passes and the
    marts still cover the days."""
    from tools.standin.generator import write_dataset

    exports = tmp_path / "exports"
    full = tmp_path / "full.csv"
    write_dataset("eco2mix-regional-cons-def", full, "2025-03-20", "2025-03-22")
    with full.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, body = rows[0], rows[1:]
    half = len(body) // 2
    exports.mkdir()
    with (exports / "with_new_column.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow([*header, "nouvelle_colonne"])
        writer.writerows([*row, "42"] for row in body[:half])
    dropped = header.index("pompage")
    with (exports / "without_pompage.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow([c for i, c in enumerate(header) if i != dropped])
        writer.writerows([v for i, v in enumerate(row) if i != dropped] for row in body[half:])

    env = {**copy.env, "SOURCES__ECO2MIX__LOCAL_PATH": str(exports)}
    run_checked([sys.executable, "-m", "extract", "eco2mix"], env, PROJECT_DIR)
    with closing(copy.connect()) as conn, conn.cursor() as cur:
        cur.execute(
            "select count(*) filter (where nouvelle_colonne = '42'),"
            " count(*) filter (where _source_file like '%without_pompage.csv'"
            "  and pompage is null)"
            " from raw.eco2mix_regional"
        )
        assert cur.fetchone() == (half, len(body) - half)

    run_checked([DBT, "build"], copy.env, DBT_DIR)
    days = copy.sql(
        "select count(*) from marts.fct_consumption_daily "
        "where consumption_date in ('2025-03-20', '2025-03-21') and region_code <> 'FR'"
    )
    assert days == [(24,)]
