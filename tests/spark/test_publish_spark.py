"""`make publish` from tables a real Spark session wrote: a managed Parquet table partitioned by
day (as the incremental facts are, insert_overwrite) and one with timestamps written in a Paris
session time zone, published into a private PostgreSQL database."""

from __future__ import annotations

import datetime as dt

import pytest

from extract import publish
from extract.mart_contracts import marts_from_manifest
from extract.spark_marts import SparkMartsError
from tests.extract.test_publish import MANIFEST, target  # noqa: F401  (a fixture)

MARTS = marts_from_manifest(MANIFEST)
# The autumn clock change: Paris 02:00-03:00 happens twice, at 00:00 and 01:00 UTC.
UTC_HOURS = [dt.datetime(2024, 10, 26, 23, tzinfo=dt.UTC) + dt.timedelta(hours=h) for h in range(4)]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    state = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("wattlake publish test")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={state}")
        .config("spark.sql.session.timeZone", "Europe/Paris")
        .config("spark.sql.warehouse.dir", str(state / "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={state / 'metastore_db'};create=true",
        )
        .enableHiveSupport()
        .getOrCreate()
    )
    session.sql("create database if not exists marts")
    yield session, state / "warehouse"
    session.stop()


def _build(session, label: str, energy: str = "0.1D + 0.2D") -> None:
    """The two marts, as dbt-spark's table and insert_overwrite materializations make them."""
    session.sql("drop table if exists marts.fct_tiny_daily")
    session.sql("drop table if exists marts.dim_tiny_hours")
    session.sql(
        f"""create table marts.fct_tiny_daily using parquet partitioned by (consumption_date) as
        select region_code, {energy} as energy_mwh, cast(null as double) as mean_temperature_c,
            cast(hours as int) as hours_in_day, cast(1099511627776 as bigint) as row_count,
            hours = 24 as is_complete_day, consumption_date
        from values ('11', 24, date'2024-10-26'), ('Côte d''Azur', 25, date'2024-10-27')
            as v(region_code, hours, consumption_date)"""
    )
    session.sql(
        f"""create table marts.dim_tiny_hours using parquet as
        select timestamp'2024-10-26 23:00:00Z' + make_dt_interval(0, h) as hour_at,
            case when h = 1 then null else '{label}' end as label
        from values (0), (1), (2), (3) as v(h)"""
    )


def test_publish_reads_what_spark_wrote(spark, target):  # noqa: F811
    session, warehouse = spark
    _build(session, "v1")
    rows = publish.publish(MARTS, warehouse, log=lambda line: None)
    assert rows == {"dim_tiny_hours": 4, "fct_tiny_daily": 2}
    daily = target.sql("select * from marts.fct_tiny_daily order by consumption_date")
    assert daily == [
        (dt.date(2024, 10, 26), "11", 0.1 + 0.2, None, 24, 2**40, True),
        (dt.date(2024, 10, 27), "Côte d'Azur", 0.1 + 0.2, None, 25, 2**40, False),
    ]
    hours = target.sql("select hour_at, label from marts.dim_tiny_hours order by hour_at")
    assert hours == list(zip(UTC_HOURS, ["v1", None, "v1", "v1"], strict=True))
    types = dict(
        target.sql(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'dim_tiny_hours'"
        )
    )
    assert types == {"hour_at": "timestamp with time zone", "label": "text"}


def test_a_spark_mart_of_the_wrong_type_leaves_the_previous_marts(spark, target):  # noqa: F811
    session, warehouse = spark
    _build(session, "v1")
    publish.publish(MARTS, warehouse, log=lambda line: None)
    before = target.sql("select * from marts.dim_tiny_hours order by 1")
    _build(session, "v2", energy="'a lot'")  # dim_tiny_hours loads first, then this fails
    with pytest.raises(SparkMartsError, match=r"fct_tiny_daily\.energy_mwh \(string\)"):
        publish.publish(MARTS, warehouse, log=lambda line: None)
    assert target.sql("select * from marts.dim_tiny_hours order by 1") == before
