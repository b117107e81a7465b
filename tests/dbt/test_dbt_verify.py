"""`make verify` (issue 16): every data test over every row, where a build's tests see a window.

An incremental `dbt build` tests only the rows it can have changed (macros/test_window.sql): a
bad value in an older row passes it. `make verify` runs the same data tests with no window. This
drill plants a consumption of −5 MW in the oldest month of a private copy of the session's demo
warehouse (the `copy` fixture of tests/dbt/conftest.py) and shows that the build misses it
and `make verify` catches it. It is also how CI runs `make verify` on the demo data.
"""

from __future__ import annotations

import subprocess
from contextlib import closing

import pytest

from tests.demo_warehouse import DBT as DBT_PATH
from tests.demo_warehouse import DBT_DIR, DemoWarehouse, run_checked
from tests.helpers import PROJECT_DIR

DBT = str(DBT_PATH)

pytestmark = pytest.mark.e2e

BAD_ROW = """
    update raw.eco2mix_regional set consommation = '-5'
    where _dlt_id = (
        select _dlt_id from raw.eco2mix_regional
        where code_insee_region = '11' and consommation is not null
        order by date_heure limit 1
    )
    returning date_heure
"""


def make_verify(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "verify"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_make_verify_catches_an_old_bad_row_that_the_incremental_build_misses(
    copy: DemoWarehouse,
) -> None:
    clean = make_verify(copy.env)
    assert clean.returncode == 0, clean.stdout[-4000:] + clean.stderr
    assert " PASS=" in clean.stdout and " ERROR=0 " in clean.stdout
    assert " START unit_test " not in clean.stdout  # data tests only: unit tests prove the SQL

    with closing(copy.connect()) as conn, conn, conn.cursor() as cur:  # commits, then closes
        cur.execute(BAD_ROW)
        [(planted_at,)] = cur.fetchall()
    assert planted_at.startswith("2024-09-30") or planted_at.startswith("2024-10-")

    build = run_checked(
        [DBT, "--no-use-colors", "build", "--exclude-resource-type", "unit_test"], copy.env, DBT_DIR
    )
    assert " ERROR=0 " in build.stdout

    caught = make_verify(copy.env)
    assert caught.returncode != 0
    failures = [line for line in caught.stdout.splitlines() if "FAIL" in line and " in " in line]
    assert any("stg_eco2mix__regional_consumption" in line for line in failures), caught.stdout
