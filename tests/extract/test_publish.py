"""`make publish` without a JVM: Spark-shaped Parquet folders (hive partitions, INT96 timestamps,
`_SUCCESS`, an uncommitted `_temporary/` file) published into a private PostgreSQL database.
tests/spark/ does the same from tables a real Spark session wrote."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract import publish
from extract.mart_contracts import marts_from_manifest, postgres_marts
from extract.spark_marts import SparkMartsError
from extract.spark_marts import table_dir as spark_table_dir
from tests.helpers import PROJECT_DIR, Warehouse, create_reader_role, reader_env


def _column(name: str, data_type: str, not_null: bool = False) -> dict:
    constraints = [{"type": "not_null"}] if not_null else []
    return {"name": name, "data_type": data_type, "constraints": constraints,
            "description": f"The {name}."}  # fmt: skip


def _node(name: str, columns: list[dict], key: list[str], indexes: list[list[str]]) -> dict:
    return {
        "resource_type": "model",
        "schema": "marts",
        "name": name,
        "description": f"Tiny {name}.",
        "config": {"contract": {"enforced": True}, "indexes": [{"columns": i} for i in indexes]},
        "constraints": [{"type": "primary_key", "columns": key}],
        "columns": {column["name"]: column for column in columns},
    }


DAILY_COLUMNS = [
    _column("consumption_date", "date", True),
    _column("region_code", "text", True),
    _column("energy_mwh", "double precision", True),
    _column("mean_temperature_c", "double precision"),
    _column("hours_in_day", "integer", True),
    _column("row_count", "bigint"),
    _column("is_complete_day", "boolean", True),
]
HOURLY_COLUMNS = [_column("hour_at", "timestamp with time zone", True), _column("label", "text")]
MANIFEST = {
    "nodes": {
        "model.t.fct_tiny_daily": _node(
            "fct_tiny_daily", DAILY_COLUMNS, ["consumption_date", "region_code"], [["region_code"]]
        ),
        "model.t.dim_tiny_hours": _node("dim_tiny_hours", HOURLY_COLUMNS, ["hour_at"], []),
        "seed.t.regions": {"resource_type": "seed", "schema": "staging"},
    }
}
MARTS = marts_from_manifest(MANIFEST)
# The autumn clock change: 02:00-03:00 Paris happens twice, at 00:00 and 01:00 UTC.
HOURS = [dt.datetime(2024, 10, 27, hour, tzinfo=dt.UTC) for hour in range(4)]


def table_dir(warehouse: Path, name: str) -> Path:
    return Path(spark_table_dir(warehouse, name))


def write_spark_like(warehouse: Path, version: int, null_energy: bool = False) -> None:
    """The two marts as Spark leaves them: the daily one partitioned by day (values in folder
    names), timestamps as INT96, plus files Spark never committed."""
    daily = table_dir(warehouse, "fct_tiny_daily")
    for day in (1, 2):
        part = daily / f"consumption_date=2024-10-0{day}"
        part.mkdir(parents=True, exist_ok=True)
        energy = [None if null_energy else 0.1 + 0.2 * version, 1e-300]
        table = pa.table(
            {
                # Spark writes the partition column last, so the order differs from the contract
                "region_code": ["11", 'Côte d\'Azur "",'],
                "energy_mwh": pa.array(energy, pa.float64()),
                "mean_temperature_c": [None, -3.25],
                "hours_in_day": pa.array([24, 25], pa.int32()),
                "row_count": pa.array([None, 2**40], pa.int64()),
                "is_complete_day": [True, False],
            }
        )
        pq.write_table(table, part / f"part-0000{version}.snappy.parquet")
    (daily / "_SUCCESS").touch()
    stray = daily / "_temporary" / "0" / "consumption_date=2024-10-09"
    stray.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"region_code": ["99"]}), stray / "part-9.parquet")
    hours = table_dir(warehouse, "dim_tiny_hours")
    hours.mkdir(parents=True, exist_ok=True)
    naive = pa.array([hour.replace(tzinfo=None) for hour in HOURS], pa.timestamp("us"))
    labels = ["", None, f"v{version}", "x"]
    pq.write_table(
        pa.table({"hour_at": naive, "label": labels}),
        hours / "part-00000.snappy.parquet",
        use_deprecated_int96_timestamps=True,
    )


@pytest.fixture
def target(tmp_path, monkeypatch):
    """A private database with a reader role of its own, named by PGDATABASE for the module."""
    warehouse = Warehouse(tmp_path / "w")
    env = {**warehouse.env, **reader_env(warehouse.name)}
    create_reader_role(env)
    for name in ("PGDATABASE", "WATTLAKE_READER_USER", "WATTLAKE_READER_PASSWORD"):
        monkeypatch.setenv(name, env[name])
    yield warehouse
    warehouse.drop()


def _marts_content(warehouse: Warehouse) -> dict[str, list[tuple]]:
    return {
        mart.name: warehouse.sql(f"select * from marts.{mart.name} order by 1, 2") for mart in MARTS
    }


def test_publish_makes_the_contract_types_and_keeps_every_value(target, tmp_path):
    spark = tmp_path / "spark" / "warehouse"
    write_spark_like(spark, version=1)
    rows = publish.publish(MARTS, spark, log=lambda line: None)
    assert rows == {"dim_tiny_hours": 4, "fct_tiny_daily": 4}
    types = target.sql(
        "select table_name, column_name, data_type, is_nullable from information_schema.columns"
        " where table_schema = 'marts' order by table_name, ordinal_position"
    )
    assert [(t, c, d) for t, c, d, _ in types if t == "fct_tiny_daily"] == [
        ("fct_tiny_daily", c["name"], c["data_type"]) for c in DAILY_COLUMNS
    ]
    assert ("dim_tiny_hours", "hour_at", "timestamp with time zone", "NO") in types
    daily = target.sql("select * from marts.fct_tiny_daily order by 1, 2")
    assert daily[0] == (dt.date(2024, 10, 1), "11", 0.1 + 0.2, None, 24, None, True)
    assert daily[1] == (dt.date(2024, 10, 1), 'Côte d\'Azur "",', 1e-300, -3.25, 25, 2**40, False)
    assert {row[0] for row in daily} == {dt.date(2024, 10, 1), dt.date(2024, 10, 2)}
    hours = target.sql("select hour_at, label from marts.dim_tiny_hours order by 1")
    assert hours == list(zip(HOURS, ["", None, "v1", "x"], strict=True))
    keys = target.sql(
        "select indexdef from pg_indexes"
        " where schemaname = 'marts' and tablename = 'fct_tiny_daily'"
    )
    assert len(keys) == 2 and any("(consumption_date, region_code)" in k[0] for k in keys)
    assert target.scalar("select obj_description('marts.fct_tiny_daily'::regclass)") == (
        "Tiny fct_tiny_daily."
    )


def test_the_reader_role_reads_the_published_marts(target, tmp_path):
    spark = tmp_path / "spark" / "warehouse"
    write_spark_like(spark, version=1)
    publish.publish(MARTS, spark, log=lambda line: None)
    conn = psycopg2.connect(
        host=os.environ["PGHOST"],
        port=os.environ["PGPORT"],
        dbname=target.name,
        user=os.environ["WATTLAKE_READER_USER"],
        password=os.environ["WATTLAKE_READER_PASSWORD"],
    )
    with closing(conn), conn.cursor() as cur:
        cur.execute("select count(*) from marts.fct_tiny_daily")
        assert cur.fetchone()[0] == 4


def test_a_publish_that_fails_midway_leaves_the_previous_marts(target, tmp_path):
    spark = tmp_path / "spark" / "warehouse"
    write_spark_like(spark, version=1)
    publish.publish(MARTS, spark, log=lambda line: None)
    before = _marts_content(target)
    # dim_tiny_hours (first in name order) loads; then fct_tiny_daily breaks its not-null column
    write_spark_like(tmp_path / "v2", version=2, null_energy=True)
    with pytest.raises(publish.PublishError, match="previous marts are unchanged"):
        publish.publish(MARTS, tmp_path / "v2", log=lambda line: None)
    assert _marts_content(target) == before
    assert target.sql("select 1 from pg_namespace where nspname = 'marts_publish'") == []


def test_a_missing_mart_stops_the_publish_before_it_starts(target, tmp_path):
    spark = tmp_path / "spark" / "warehouse"
    write_spark_like(spark, version=1)
    publish.publish(MARTS, spark, log=lambda line: None)
    before = _marts_content(target)
    write_spark_like(tmp_path / "v2", version=2)
    for path in sorted(table_dir(tmp_path / "v2", "dim_tiny_hours").rglob("*"), reverse=True):
        path.unlink()
    table_dir(tmp_path / "v2", "dim_tiny_hours").rmdir()
    with pytest.raises(SparkMartsError, match=r"1 of 2 marts .*\(dim_tiny_hours\)"):
        publish.publish(MARTS, tmp_path / "v2", log=lambda line: None)
    assert _marts_content(target) == before


def test_no_spark_build_is_a_one_line_error(target, tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    command = [sys.executable, "-m", "extract.publish", "--spark-dir", str(tmp_path / "nothing")]
    result = subprocess.run(
        [*command, "--manifest", str(tmp_path / "manifest.json")],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: no Spark marts under {tmp_path / 'nothing' / 'warehouse'}: "
        "run DBT_TARGET=spark make transform first."
    ]


def test_a_killed_publish_leaves_the_previous_marts(target, tmp_path):
    """Killed at the worst moment: everything loaded, the swap waiting for a reader's lock."""
    write_spark_like(tmp_path / "spark" / "warehouse", version=1)
    publish.publish(MARTS, tmp_path / "spark" / "warehouse", log=lambda line: None)
    before = _marts_content(target)
    write_spark_like(tmp_path / "v2" / "warehouse", version=2)
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    reader = target.connect()  # a dashboard query in a transaction holds its table
    with closing(reader), reader.cursor() as cur:
        cur.execute("select count(*) from marts.fct_tiny_daily")
        command = [sys.executable, "-m", "extract.publish", "--spark-dir", str(tmp_path / "v2")]
        process = subprocess.Popen(
            [*command, "--manifest", str(tmp_path / "manifest.json")],
            cwd=PROJECT_DIR,
            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
            stdout=subprocess.DEVNULL,
        )
        waiting = (
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
            " and datname = current_database()"
        )
        deadline = time.monotonic() + 60
        while target.scalar(waiting) == 0:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        reader.rollback()
    gone = (
        "select count(*) from pg_stat_activity where application_name = 'wattlake publish'"
        " and datname = current_database()"
    )
    deadline = time.monotonic() + 30
    while target.scalar(gone) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _marts_content(target) == before
    assert target.sql("select 1 from pg_namespace where nspname = 'marts_publish'") == []


def test_the_project_marts_have_contracts_publish_can_load():
    """The real manifest, parsed for PostgreSQL: every mart, every column has a known type."""
    marts = postgres_marts()
    names = {mart.name for mart in marts}
    assert {"fct_consumption_hourly", "fct_consumption_daily", "dim_regions"} <= names
    models = PROJECT_DIR / "dbt_project" / "models" / "marts"
    assert names == {path.stem for path in models.glob("*.sql")}
    hourly = next(mart for mart in marts if mart.name == "fct_consumption_hourly")
    assert hourly.indexes and hourly.primary_key


def test_a_warehouse_uri_is_read_like_a_folder(target, tmp_path):
    """What a cluster's s3:// warehouse goes through: pyarrow's filesystem from a URI."""
    spark = tmp_path / "spark" / "warehouse"
    write_spark_like(spark, version=3)
    rows = publish.publish(MARTS, spark.as_uri(), log=lambda line: None)
    assert rows == {"dim_tiny_hours": 4, "fct_tiny_daily": 4}
    assert target.scalar("select label from marts.dim_tiny_hours where label like 'v%'") == "v3"


def test_an_index_column_may_carry_its_order():
    """The peaks index of fct_consumption_daily is `peak_consumption_mw desc`: the order is kept."""
    with closing(psycopg2.connect(dbname="postgres")) as connection:
        text = publish.index_column("peak_consumption_mw desc").as_string(connection)
    assert text == '"peak_consumption_mw" desc'
    with pytest.raises(publish.PublishError, match="then asc or desc"):
        publish.index_column("peak_consumption_mw; drop table x")
