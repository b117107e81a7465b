"""dbt's `thrift` method, run: a local Spark Thrift Server (tools/spark_thrift.py, pyspark's
HiveThriftServer2, NOSASL) builds the project from the lake when SPARK_THRIFT_HOST is set, and
its marts, published, equal PostgreSQL's. Three days around the autumn clock change keep it
short: the month-long parity of both methods' SQL is test_parity.py's."""

from __future__ import annotations

import pytest

from tests.helpers import Warehouse, free_port
from tests.spark.test_parity import (
    BUILD,
    SOURCES,
    _publish,
    _timed,
    assert_same_marts,
    warehouses,
)
from tools import spark_thrift

DAYS = {"SOURCES__START_DATE": "2024-10-26", "SOURCES__END_DATE": "2024-10-29"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory, standin):
    workdir = tmp_path_factory.mktemp("thrift")
    port = free_port()
    state = workdir / "thrift_state"
    postgres, spark = warehouses(
        workdir,
        standin.base_url,
        DAYS,
        SPARK_THRIFT_HOST="127.0.0.1",
        SPARK_THRIFT_PORT=str(port),
        # where a `session` build would keep its state: it must stay unused
        WATTLAKE_SPARK_DIR=str(workdir / "session_state"),
    )
    try:
        postgres.extract(sources=SOURCES)
        postgres.dbt(*BUILD)
        spark.extract(sources=SOURCES)
        with spark_thrift.running(port, state, workdir / "thrift.log", driver_memory="2g"):
            _timed("dbt build through the Thrift server", lambda: _build(spark, workdir))
        manifest = workdir / "postgres" / "dbt_target" / "manifest.json"
        _publish(spark, manifest, state)
        yield postgres, spark
    finally:
        postgres.drop()
        spark.drop()


def _build(spark: Warehouse, workdir) -> None:
    try:
        spark.dbt(*BUILD, "--target", "spark", timeout=1800)
    except AssertionError as failure:
        log = (workdir / "thrift.log").read_text(errors="replace")[-4000:]
        raise AssertionError(f"{failure}\n--- Thrift server log (end) ---\n{log}") from None


def test_a_build_through_the_thrift_server_equals_postgresql(builds):
    postgres, spark = builds
    # a winter's thermosensitivity needs 20 cold days (var thermosensitivity_min_days)
    assert_same_marts(postgres, spark, too_short_for=["fct_thermosensitivity"])


def test_dbt_used_the_server_not_a_session_of_its_own(builds):
    _, spark = builds
    assert (spark.workdir.parent / "thrift_state" / "warehouse").is_dir()
    assert not (spark.workdir.parent / "session_state").exists()
