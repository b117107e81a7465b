"""Query plans the incremental path depends on: a filter that PostgreSQL cannot push into a
union reads every raw row instead of the few of the new loads."""

from __future__ import annotations

import json

import pytest

from tests.demo_warehouse import DBT as DBT_PATH
from tests.demo_warehouse import DBT_DIR, DemoWarehouse, run_checked

pytestmark = pytest.mark.e2e

RAW_TABLES = (
    "eco2mix_regional",
    "eco2mix_national",
    "eco2mix_regional_tr",
    "eco2mix_national_tr",
    "open_meteo_hourly",
)


def _scans(plan: dict) -> list[dict]:
    """Every node of `plan` that reads a table."""
    nodes = [plan] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        nodes += _scans(child)
    return nodes


def test_new_load_filter_reaches_every_raw_table(copy: DemoWarehouse) -> None:
    """fct_pipeline_loads counts the rows of new loads only, through stg_dlt__loaded_rows: its
    `dlt_load_id in (...)` must reach each raw table's scan, also when some raw tables do not
    exist (their branch is a typed null: with a type that differs from dlt's varchar,
    PostgreSQL kept the filter above the union and read every raw row)."""
    copy.admin("drop table if exists raw.eco2mix_regional_tr, raw.eco2mix_national_tr")
    run_checked([str(DBT_PATH), "run", "--select", "stg_dlt__loaded_rows"], copy.env, DBT_DIR)
    ((load_id,),) = copy.sql("select max(load_id) from raw._dlt_loads")
    ((plan,),) = copy.sql(
        "explain (format json) select count(*) from staging.stg_dlt__loaded_rows "
        "where dlt_load_id in (%s)",
        (load_id,),
    )
    plan = plan if isinstance(plan, list) else json.loads(plan)
    scans = [node for node in _scans(plan[0]["Plan"]) if node["Relation Name"] in RAW_TABLES]
    assert {node["Relation Name"] for node in scans} == {
        "eco2mix_regional",
        "eco2mix_national",
        "open_meteo_hourly",
    }
    unfiltered = [
        node["Relation Name"]
        for node in scans
        if "_dlt_load_id"
        not in node.get("Index Cond", "") + node.get("Filter", "") + node.get("Recheck Cond", "")
    ]
    assert unfiltered == []
