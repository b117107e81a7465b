"""Fault drills on the transformation layer (issue 7): dbt killed mid-way, and columns that come
and go in the raw files.

Each drill works on its own copy of the session's demo warehouse (`create database ... template`,
see tests/dashboard_fixtures.py), so the shared warehouse the dashboard tests read stays intact.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR
from tests.dashboard_fixtures import DemoWarehouse, demo_warehouse_once
from tests.test_dbt_warehouse import same_rows, snapshot  # all mart rows; floats to 1e-9

pytestmark = pytest.mark.e2e

DBT = str(Path(sys.executable).with_name("dbt"))
DBT_DIR = PROJECT_DIR / "dbt_project"
# dbt is killed once this many models have been built by the full refresh (of about twenty).
KILL_AFTER_MODELS = 8


@pytest.fixture
def copy(tmp_path_factory, tmp_path) -> Iterator[DemoWarehouse]:
    """A private copy of the built demo warehouse, dropped afterwards."""
    shared = demo_warehouse_once(tmp_path_factory)
    name = f"{shared.database}_faults"
    shared.admin(f'drop database if exists "{name}" with (force)')
    # A template must have no other session: close the ones our own tests may have left.
    shared.admin(
        "select pg_terminate_backend(pid) from pg_stat_activity "
        f"where datname = '{shared.database}' and pid <> pg_backend_pid()"
    )
    shared.admin(f'create database "{name}" template "{shared.database}"')
    env = {
        **shared.env,
        "PGDATABASE": name,
        "PYTHONPATH": str(PROJECT_DIR),
        "DBT_PROFILES_DIR": str(DBT_DIR),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "WATTLAKE_LANDING_DIR": str(tmp_path / "raw"),
        "WATTLAKE_STATE_DIR": str(tmp_path / "dlt"),
    }
    yield DemoWarehouse(env)
    shared.admin(f'drop database if exists "{name}" with (force)')


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-4000:]}"
    return result


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

    run([DBT, "build"], copy.env, DBT_DIR)
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
    from extract.standin.generator import write_dataset

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
    run([sys.executable, "-m", "extract", "eco2mix"], env, PROJECT_DIR)
    with closing(copy.connect()) as conn, conn.cursor() as cur:
        cur.execute(
            "select count(*) filter (where nouvelle_colonne = '42'),"
            " count(*) filter (where _source_file like '%without_pompage.csv'"
            "  and pompage is null)"
            " from raw.eco2mix_regional"
        )
        assert cur.fetchone() == (half, len(body) - half)

    run([DBT, "build"], copy.env, DBT_DIR)
    days = copy.sql(
        "select count(*) from marts.fct_consumption_daily "
        "where consumption_date in ('2025-03-20', '2025-03-21') and region_code <> 'FR'"
    )
    assert days == [(24,)]
