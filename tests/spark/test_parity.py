"""Parity, proven: one month of demo data (October 2024, with the autumn clock change) from one
landing zone, built on PostgreSQL, and on Spark from the Parquet lake then published; every mart
must be the same, row for row and column for column (floats within 1e-9, tools/parity.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import closing

import pytest

from tests.helpers import PROJECT_DIR, Warehouse
from tools import parity

MONTH = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-11-01"}
SOURCES = ("eco2mix", "open_meteo")
# Data tests run on both engines (contracts and tests hold on each); unit tests prove SQL, not
# data, and run in tests/dbt.
BUILD = ("build", "--full-refresh", "--exclude-resource-type", "unit_test")
# The Paris day of the autumn clock change has 25 hours.
AUTUMN_HOURS = (
    "select count(*) from marts.fct_consumption_hourly where region_code = 'FR'"
    " and hour_at >= '2024-10-27 00:00+02' and hour_at < '2024-10-28 00:00+01'"
)


def _timed(step: str, run) -> None:
    started = time.monotonic()
    run()
    print(f"{step}: {time.monotonic() - started:.0f} s", flush=True)


@pytest.fixture(scope="module")
def builds(tmp_path_factory, standin):
    """(the PostgreSQL build, the Spark build published), from one landing zone."""
    workdir = tmp_path_factory.mktemp("parity")
    shared = {**MONTH, "WATTLAKE_LANDING_DIR": str(workdir / "raw")}
    postgres = Warehouse(workdir / "postgres", standin.base_url, **shared)
    spark = Warehouse(
        workdir / "spark",
        standin.base_url,
        **shared,
        WATTLAKE_TARGET="lake",
        WATTLAKE_LAKE_DIR=str(workdir / "lake"),
        WATTLAKE_SPARK_DIR=str(workdir / "spark_state"),
        WATTLAKE_SPARK_DRIVER_MEMORY="2g",
        WATTLAKE_SPARK_SHUFFLE_PARTITIONS="2",
    )
    try:
        _timed("extract into PostgreSQL", lambda: postgres.extract(sources=SOURCES))
        _timed("dbt build on PostgreSQL", lambda: postgres.dbt(*BUILD))
        _timed("extract into the lake", lambda: spark.extract(sources=SOURCES))
        _timed("dbt build on Spark", lambda: spark.dbt(*BUILD, "--target", "spark"))
        manifest = workdir / "postgres" / "dbt_target" / "manifest.json"
        _timed("publish", lambda: _publish(spark, manifest, workdir / "spark_state"))
        yield postgres, spark
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


def test_every_mart_is_the_same_on_both_engines(builds):
    postgres, spark = builds
    with closing(postgres.connect()) as a, closing(spark.connect()) as b:
        differences, counts = parity.compare(a, b)
    assert differences == []
    models = {path.stem for path in (PROJECT_DIR / "dbt_project/models/marts").glob("*.sql")}
    assert set(counts) == models
    empty = sorted(name for name, rows in counts.items() if rows == 0)
    assert empty == [], f"marts without rows prove nothing: {empty}"


def test_the_autumn_clock_change_hour_is_there_on_both(builds):
    postgres, spark = builds
    assert postgres.scalar(AUTUMN_HOURS) == spark.scalar(AUTUMN_HOURS) == 25
