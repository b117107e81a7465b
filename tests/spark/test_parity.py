"""Parity, proven: one month of demo data (October 2024, with the autumn clock change) from one
landing zone, built on PostgreSQL, and on Spark from the Parquet lake then published; every mart
must be the same, row for row and column for column (floats within 1e-9, tools/parity.py). Then
two new days, loaded and built incrementally on each engine (`delete+insert` on PostgreSQL,
`insert_overwrite` of month partitions on Spark): the marts must still be the same."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import closing

import pytest

from tests.dbt.test_dbt_freshness import run_freshness
from tests.helpers import PROJECT_DIR, Warehouse, private_paths
from tools import parity

MONTH = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-11-01"}
SOURCES = ("eco2mix", "open_meteo")
# Data tests run on both engines (contracts and tests hold on each); unit tests prove SQL, not
# data, and run in tests/dbt.
INCREMENTAL = ("build", "--exclude-resource-type", "unit_test")
BUILD = (*INCREMENTAL, "--full-refresh")
TWO_NEW_DAYS = {"SOURCES__END_DATE": "2024-11-03"}
# The Paris day of the autumn clock change has 25 hours.
AUTUMN_HOURS = (
    "select count(*) from marts.fct_consumption_hourly where region_code = 'FR'"
    " and hour_at >= '2024-10-27 00:00+02' and hour_at < '2024-10-28 00:00+01'"
)


def _timed(step: str, run) -> None:
    started = time.monotonic()
    run()
    print(f"{step}: {time.monotonic() - started:.0f} s", flush=True)


def warehouses(
    workdir, base_url: str, period: dict[str, str], **spark_config: str
) -> tuple[Warehouse, Warehouse]:
    """(PostgreSQL, the lake and Spark) for `period`, loading from one landing zone."""
    shared = {**period, "WATTLAKE_LANDING_DIR": str(workdir / "raw")}
    postgres = Warehouse(workdir / "postgres", base_url, **shared)
    spark = Warehouse(
        workdir / "spark",
        base_url,
        **shared,
        WATTLAKE_TARGET="lake",
        WATTLAKE_LAKE_DIR=str(workdir / "lake"),
        **spark_config,
    )
    return postgres, spark


@pytest.fixture(scope="module")
def builds(tmp_path_factory, standin):
    """(the PostgreSQL build, the Spark build published), from one landing zone."""
    workdir = tmp_path_factory.mktemp("parity")
    postgres, spark = warehouses(
        workdir,
        standin.base_url,
        MONTH,
        WATTLAKE_SPARK_DIR=str(workdir / "spark_state"),
        WATTLAKE_SPARK_DRIVER_MEMORY="2g",
        WATTLAKE_SPARK_SHUFFLE_PARTITIONS="2",
    )
    manifest = workdir / "postgres" / "dbt_target" / "manifest.json"

    def build(build: tuple[str, ...], **config: str) -> None:
        _timed("extract into PostgreSQL", lambda: postgres.extract(sources=SOURCES, **config))
        _timed("dbt build on PostgreSQL", lambda: postgres.dbt(*build))
        _timed("extract into the lake", lambda: spark.extract(sources=SOURCES, **config))
        # a month's build on Spark takes 4-10 minutes on 2 cores, depending on the load
        _timed("dbt build on Spark", lambda: spark.dbt(*build, "--target", "spark", timeout=1800))
        _timed("publish", lambda: _publish(spark, manifest, workdir / "spark_state"))

    try:
        build(BUILD)
        yield postgres, spark, lambda: build(INCREMENTAL, **TWO_NEW_DAYS)
    finally:
        postgres.drop()
        spark.drop()


def _publish(spark: Warehouse, manifest, spark_dir) -> None:
    command = [sys.executable, "-m", "extract.publish", "--manifest", str(manifest)]
    result = subprocess.run(
        [*command, "--spark-dir", str(spark_dir)],
        cwd=PROJECT_DIR,
        env=spark.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def assert_same_marts(postgres: Warehouse, spark: Warehouse, too_short_for=()) -> None:
    """Every mart the same on both; none empty but those `too_short_for` the period's data."""
    with closing(postgres.connect()) as a, closing(spark.connect()) as b:
        differences, counts = parity.compare(a, b)
    assert differences == []
    models = {path.stem for path in (PROJECT_DIR / "dbt_project/models/marts").glob("*.sql")}
    assert set(counts) == models
    empty = sorted(name for name, rows in counts.items() if rows == 0)
    assert empty == sorted(too_short_for), f"marts without rows prove nothing: {empty}"


def test_every_mart_is_the_same_on_both_engines(builds):
    postgres, spark, _ = builds
    assert_same_marts(postgres, spark)


def test_the_autumn_clock_change_hour_is_there_on_both(builds):
    postgres, spark, _ = builds
    assert postgres.scalar(AUTUMN_HOURS) == spark.scalar(AUTUMN_HOURS) == 25


def test_source_freshness_is_the_same_on_both_engines(builds, tmp_path):
    """`dbt source freshness` runs on Spark too (its loaded_at_query goes through the dispatched
    time-zone macros) and finds each source's newest instant where PostgreSQL finds it."""
    found = [
        run_freshness(
            {**warehouse.env, **private_paths(warehouse.workdir)}, tmp_path / name, *arguments
        )
        for name, warehouse, arguments in (
            ("postgres", builds[0], ()),
            ("spark", builds[1], ("--target", "spark")),
        )
    ]
    postgres, spark = ({name: r["max_loaded_at"] for name, r in f.items()} for f in found)
    eco2mix = [name for name in postgres if ".eco2mix." in name or ".open_meteo." in name]
    assert len(eco2mix) == 3 and all(postgres[name] == spark[name] for name in eco2mix)
    for results in found:
        assert {r["status"] for r in results.values()} <= {"pass", "warn", "error"}


def test_incremental_builds_after_two_new_days_stay_the_same(builds):
    postgres, spark, two_new_days = builds
    two_new_days()
    assert_same_marts(postgres, spark)
    newest = "select max(consumption_date) from marts.fct_consumption_daily"
    assert str(postgres.scalar(newest)) == str(spark.scalar(newest)) == "2024-11-02"
    # the incremental Spark run overwrote month partitions: no hour is there twice
    hours = (
        "select count(*) - count(distinct (region_code, hour_at)) from marts.fct_consumption_hourly"
    )
    assert spark.scalar(hours) == 0
