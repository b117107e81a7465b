"""`dbt source freshness` on the demo warehouse: each source's newest instant, as dbt reads it
(the `loaded_at_query` of the sources' YAML, through the dispatched time-zone macros), must be
the newest instant of the raw rows computed here in Python from the published texts, and the
status must follow the YAML's thresholds. The demo data ends in March 2025, so the éCO2mix and
Open-Meteo sources are stale (`error`) and the command exits 1, as it would in a scheduler.
tests/spark/test_parity.py runs the same command on Spark and compares."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.demo_warehouse import DBT, DBT_DIR, demo_warehouse_once

pytestmark = pytest.mark.e2e

PERIOD = {"minute": "minutes", "hour": "hours", "day": "days"}


def run_freshness(env: dict[str, str], target: Path, *arguments: str) -> dict[str, dict]:
    """`dbt source freshness` with its target folder `target`; {source id: its result}."""
    result = subprocess.run(
        [str(DBT), "source", "freshness", *arguments],
        cwd=DBT_DIR,
        env={**env, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode in (0, 1), result.stdout[-4000:]  # 1: a source is stale
    results = json.loads((target / "sources.json").read_text())["results"]
    return {item["unique_id"]: item for item in results}


def thresholds() -> dict[str, dict]:
    """{source id: freshness config} of every source table that has one, read from the YAML."""
    found = {}
    for path in sorted((DBT_DIR / "models").rglob("_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            default = source.get("config", {}).get("freshness")
            for table in source["tables"]:
                config = table.get("config", {})
                freshness = config.get("freshness", default)
                if freshness:
                    found[f"source.wattlake.{source['name']}.{table['name']}"] = freshness
    return found


def expected_status(freshness: dict, age: dt.timedelta) -> str:
    for status in ("error", "warn"):
        limit = freshness.get(f"{status}_after")
        if limit and age > dt.timedelta(**{PERIOD[limit["period"]]: limit["count"]}):
            return status
    return "pass"


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def test_freshness_reads_the_newest_instant_of_each_source(tmp_path_factory, tmp_path):
    warehouse = demo_warehouse_once(tmp_path_factory)
    results = run_freshness(warehouse.env, tmp_path)
    expected = thresholds()
    assert set(results) == set(expected)

    def newest_text(table: str) -> dt.datetime:
        texts = warehouse.sql(f"select date_heure from raw.{table}")
        return max(instant(text) for (text,) in texts)

    def local(time: str, zone: str | None) -> dt.datetime:  # the newest hour is never ambiguous
        return dt.datetime.fromisoformat(time).replace(tzinfo=ZoneInfo(zone or "UTC"))

    weather = warehouse.sql("select time, timezone from raw.open_meteo_hourly")
    newest = {
        "eco2mix.eco2mix_regional": newest_text("eco2mix_regional"),
        "eco2mix.eco2mix_national": newest_text("eco2mix_national"),
        "open_meteo.open_meteo_hourly": max(local(time, zone) for time, zone in weather),
        "dlt._dlt_loads": warehouse.sql("select max(inserted_at) from raw._dlt_loads")[0][0],
    }
    for name, value in newest.items():
        result = results[f"source.wattlake.{name}"]
        assert instant(result["max_loaded_at"]) == value, name
        age = instant(result["snapshotted_at"]) - value
        assert result["status"] == expected_status(expected[result["unique_id"]], age), name
    # the demo months are long gone: both sources are stale, the load log is not
    assert results["source.wattlake.eco2mix.eco2mix_regional"]["status"] == "error"
    assert results["source.wattlake.dlt._dlt_loads"]["status"] == "pass"
