"""The dbt project on a real PostgreSQL, loaded with the stand-in's demo data.

One private database (`<PGDATABASE>_dbt_incr`, dropped and re-created here) on the server the
PG* variables name, built in the order a real warehouse lives:

1. extract October 2024 to January 2025 and `dbt build` (first, full build);
2. a re-publication inside the lookback window changes a few raw readings, and the extract
   brings February and March (new data);
3. `dbt run` (incremental), then `dbt run --full-refresh`: both must give the same rows.

The same warehouse then proves the read-only role and the planted thermosensitivity.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from extract.sources.eco2mix.parse import NATIONAL, REGIONAL
from tests.demo_warehouse import DemoWarehouse, same_rows, snapshot
from tests.helpers import (
    PROJECT_DIR,
    admin,
    assert_reads_marts_only,
    create_reader_role,
    demo_env,
    reader_env,
)
from tools.standin.generator import planted_slope_mw_per_c

pytestmark = pytest.mark.e2e

DBT = Path(sys.executable).with_name("dbt")
DBT_DIR = PROJECT_DIR / "dbt_project"
FIRST_END = "2025-02-01"
DEMO_START, DEMO_END = "2024-10-01", "2025-04-01"
REVISED_DAY = "2025-01-20"  # inside the 45-day lookback of the first build
SLOPE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Warehouse(DemoWarehouse):
    """A built warehouse (connect, sql), its marts after the incremental run and after a full
    refresh, and what the incremental run wrote per model."""

    snapshots: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)
    incremental_results: dict[str, dict] = field(default_factory=dict)


def _run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        output = f"{result.stdout[-6000:]}\n{result.stderr}"
        raise AssertionError(f"{' '.join(command)} failed:\n{output}")
    return result


def _extract(env: dict[str, str], end_date: str) -> None:
    _run([sys.executable, "-m", "extract"], {**env, "SOURCES__END_DATE": end_date}, PROJECT_DIR)


def _dbt(env: dict[str, str], *arguments: str) -> None:
    _run([str(DBT), *arguments], env, DBT_DIR)


def _rows_written(env: dict[str, str]) -> dict[str, dict]:
    run_results = json.loads(Path(env["DBT_TARGET_PATH"], "run_results.json").read_text())
    return {
        result["unique_id"].split(".")[-1]: result["adapter_response"]
        for result in run_results["results"]
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Iterator[Warehouse]:
    workdir = tmp_path_factory.mktemp("dbt_warehouse")
    env = dict(os.environ)
    env.setdefault("PGPORT", "5432")
    env["PGDATABASE"] = f"{os.environ.get('PGDATABASE', 'wattlake')}_dbt_incr"
    with closing(admin()) as conn, conn.cursor() as cur:
        cur.execute(f'drop database if exists "{env["PGDATABASE"]}" with (force)')
        cur.execute(f'create database "{env["PGDATABASE"]}"')

    from tools.standin.server import start_standin

    server, base_url = start_standin(port=0)
    env.update(demo_env(workdir, base_url, DEMO_START), **reader_env(env["PGDATABASE"]))
    try:
        _extract(env, FIRST_END)
        create_reader_role(env)
        _dbt(env, "build")
        # a better publication of one day, loaded after the first build (inside its lookback)
        with closing(Warehouse(env).connect()) as conn, conn.cursor() as cur:
            cur.execute(
                "update raw.eco2mix_regional"
                " set consommation = cast(cast(consommation as integer) + 250 as text),"
                " nature = 'Données définitives', _dlt_load_id = '9999999999.0'"
                " where code_insee_region in ('11', '93') and date_heure like %s",
                (f"{REVISED_DAY}T1%",),
            )
            assert cur.rowcount == 2 * 20  # 10:00-19:30 UTC, every 30 minutes, two regions
            conn.commit()
        _extract(env, DEMO_END)
        _dbt(env, "run")
        incremental = snapshot(env)
        incremental_results = _rows_written(env)
        _dbt(env, "run", "--full-refresh")
        full = snapshot(env)
        yield Warehouse(env, {"incremental": incremental, "full": full}, incremental_results)
    finally:
        server.stop()


def test_incremental_run_gives_the_same_rows_as_a_full_refresh(warehouse: Warehouse) -> None:
    incremental, full = warehouse.snapshots["incremental"], warehouse.snapshots["full"]
    assert sorted(incremental) == sorted(full)
    assert "marts.fct_consumption_hourly" in full
    for table, rows in full.items():
        assert rows, f"{table} is empty"
        assert same_rows(incremental[table], rows), f"{table}: incremental and full refresh differ"


def test_incremental_run_rebuilt_only_a_window(warehouse: Warehouse) -> None:
    """The incremental run rewrote the lookback window and the new months, not the history."""
    written = warehouse.incremental_results["fct_consumption_hourly"]["rows_affected"]
    total = len(warehouse.snapshots["full"]["marts.fct_consumption_hourly"])
    first_build_hours = 123 * 24 * 13  # October to January, 12 regions and France
    assert 0 < written < total
    assert written < total - first_build_hours + 46 * 24 * 13


def test_revision_inside_the_lookback_reached_the_marts(warehouse: Warehouse) -> None:
    revised = warehouse.sql(
        "select data_nature, count(*) from staging.stg_eco2mix__regional_consumption"
        " where dlt_load_id = '9999999999.0' group by 1"
    )
    assert revised == [("Données définitives", 40)]
    # the mart's hour holds the revised readings (+250 MW each), straight from raw
    from_raw, in_mart = warehouse.sql(
        "select"
        " (select avg(cast(consommation as numeric)) from raw.eco2mix_regional"
        "  where code_insee_region = '11' and date_heure like %s),"
        " (select mean_consumption_mw from marts.fct_consumption_hourly"
        "  where region_code = '11' and hour_at = %s)",
        (f"{REVISED_DAY}T12:%", f"{REVISED_DAY} 12:00:00+00"),
    )[0]
    assert in_mart == pytest.approx(float(from_raw))


def test_reader_role_reads_marts_only(warehouse: Warehouse) -> None:
    reader = warehouse.env["WATTLAKE_READER_USER"], warehouse.env["WATTLAKE_READER_PASSWORD"]
    with closing(warehouse.connect(*reader)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select count(*) from marts.dim_dates where is_public_holiday")
            assert cur.fetchone()[0] > 0
            assert_reads_marts_only(cur)


def test_thermosensitivity_recovers_the_planted_slope(warehouse: Warehouse) -> None:
    rows = warehouse.sql(
        "select region_code, thermosensitivity_mw_per_c from marts.fct_thermosensitivity"
        " where winter_season = '2024-2025'"
    )
    regions = {code for (code,) in warehouse.sql("select region_code from marts.dim_regions")}
    found = dict(rows)
    assert set(found) == regions  # 12 regions and France
    errors = {code: found[code] / planted_slope_mw_per_c(code) - 1 for code in sorted(found)}
    assert all(abs(error) < SLOPE_TOLERANCE for error in errors.values()), errors
    assert found["FR"] == pytest.approx(2400, rel=SLOPE_TOLERANCE)


# The project's generic tests on tiny inline tables: call -> rows it must flag.
GENERIC_TEST_CASES = {
    "values_between": (
        "test_values_between(model='(values (1.0, 1), (2.0, 0), (5.0, 1), (null, -3)) as t(x, y)',"
        " columns={'x': {'min_value': 0, 'max_value': 2, 'inclusive': false},"
        " 'y': {'min_value': 0}})",
        3,  # x = 2 (exclusive bound), x = 5, y = -3; a null x passes
    ),
    "expression_is_true": (
        "test_expression_is_true(model='(values (1, 2), (3, 2), (null, 1)) as t(a, b)',"
        " expression='a < b')",
        1,  # 3 < 2; a null result passes unless null_fails
    ),
    "unique_combination_of_columns": (
        "test_unique_combination_of_columns(model='(values (1, 1), (1, 1), (1, 2)) as t(a, b)',"
        " combination_of_columns=['a', 'b'])",
        1,  # one combination repeated
    ),
    "row_count_between": (
        "test_row_count_between(model='(values (1), (2), (3)) as t(a)', min_value=4)",
        1,
    ),
    "not_null_columns": (
        "test_not_null_columns(model='(values (1, 1, null), (null, 1, 1), (null, null, 1),"
        " (1, 1, 1)) as t(a, b, c)', columns=['a', 'b'])",
        2,  # a null a, then a and b null; a null c is not listed
    ),
}


def test_generic_data_tests_flag_bad_rows(warehouse: Warehouse) -> None:
    counts = ", ".join(
        f"(select count(*) from ({{{{ {call} }}}}) as flagged) as {name}"
        for name, (call, _) in GENERIC_TEST_CASES.items()
    )
    result = _run(
        [str(DBT), "show", "--inline", f"select {counts}", "--output", "json", "--quiet"],
        warehouse.env,
        DBT_DIR,
    )
    flagged = json.loads(result.stdout)["show"][0]
    assert flagged == {name: rows for name, (_, rows) in GENERIC_TEST_CASES.items()}


def test_round_float_rounds_once(warehouse: Warehouse) -> None:
    """0.90884987 to 4 decimals is 0.9088: through dbt's numeric(28,6) it was first 0.908850,
    then 0.9089, and Spark (decimal(38,10)) said 0.9088 (the full-history bench-spark parity)."""
    result = _run(
        [
            str(DBT), "show", "--inline",
            "select {{ round_float('cast(0.90884987 as float)', 4) }} as r_squared,"
            " {{ round_float('cast(-2.25 as float)', 1) }} as slope",
            "--output", "json", "--quiet",
        ],
        warehouse.env,
        DBT_DIR,
    )  # fmt: skip
    assert json.loads(result.stdout)["show"][0] == {"r_squared": 0.9088, "slope": -2.3}


def test_marts_reject_nulls_and_duplicate_keys(warehouse: Warehouse) -> None:
    """Not-null columns and primary keys of the marts are constraints of their contracts,
    enforced by PostgreSQL when a mart is written (so no data test re-checks them)."""
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.NotNullViolation):
            cur.execute("update marts.fct_consumption_daily set energy_mwh = null")
        conn.rollback()
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute(
                "insert into marts.fct_consumption_hourly"
                " select * from marts.fct_consumption_hourly limit 1"
            )
        conn.rollback()
        cur.execute(
            "select table_name from information_schema.tables as t"
            " where table_schema = 'marts' and table_type = 'BASE TABLE' and not exists ("
            "  select 1 from pg_constraint as c where c.contype = 'p'"
            "  and c.conrelid = format('%I.%I', t.table_schema, t.table_name)::regclass)"
        )
        assert cur.fetchall() == []  # every mart has its primary key


def test_raw_merge_keys_are_not_null(warehouse: Warehouse) -> None:
    """dlt creates the sources' merge-key columns NOT NULL, which is why the sources' YAML gives
    them no `not_null` data test (one could never fail)."""
    keys = [
        (table, column)
        for table, columns in (REGIONAL, NATIONAL, ("open_meteo_hourly", ("location_id", "time")))
        for column in columns
    ] + [("_dlt_loads", "load_id")]
    nullable = warehouse.sql(
        "select table_name, column_name, is_nullable from information_schema.columns"
        " where table_schema = 'raw' order by 1, 2"
    )
    assert sorted((t, c, n) for t, c, n in nullable if (t, c) in keys) == sorted(
        (t, c, "NO") for t, c in keys
    )


def test_same_rows_tolerates_float_noise_only() -> None:
    assert same_rows([(1, "a", 0.1 + 0.2)], [(1, "a", 0.3)])
    assert not same_rows([(1, "a", 0.3)], [(1, "a", 0.3001)])
    assert not same_rows([(1, "a", 0.3)], [(2, "a", 0.3)])
    assert not same_rows([(1, "a", 0.3)], [])
