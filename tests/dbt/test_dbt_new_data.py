"""`make transform` after a first build (issue 20): only what new data or a changed project changes.

Once a build has succeeded, make transform keeps its manifest (DBT_STATE in the Makefile) and the
next one builds selector `new_data` (dbt_project/selectors.yml) against it: every node downstream
of a source, and whatever is new or modified since, with what depends on it. These tests check
what the selection leaves out and what a change puts back (dbt's own selection, parse only), that
such a build gives the same marts as before, and that it stops in one line, having written
nothing, when a table it leaves out is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from tests.demo_warehouse import DBT, DBT_DIR, DemoWarehouse, same_rows, snapshot
from tests.helpers import PROJECT_DIR

# The nodes that read no source: the seeds and the dimensions built from them or from vars.
REFERENCE_MODELS = {"seed.wattlake.regions", "seed.wattlake.weather_points"} | {
    "model.wattlake.dim_dates",
    "model.wattlake.dim_regions",
}


def dbt_ls(project: Path, *selection: str) -> set[str]:
    """The unique ids `dbt ls` selects in `project` (dbt parses only: no warehouse)."""
    result = subprocess.run(
        [str(DBT), "ls", "--quiet", "--output", "json", "--output-keys", "unique_id", *selection],
        cwd=project,
        env={**_parse_env(project), "DBT_PROFILES_DIR": str(DBT_DIR)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return {json.loads(line)["unique_id"] for line in result.stdout.splitlines() if line}


def _parse_env(project: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(project / "logs"),
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of dbt_project/ to change, with the manifest of its first parse kept as state."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    dbt_ls(copy)  # parses: writes target/manifest.json
    (tmp_path / "state").mkdir()
    shutil.copyfile(copy / "target" / "manifest.json", tmp_path / "state" / "manifest.json")
    return copy


def test_new_data_leaves_out_only_the_reference_tables_until_one_changes(project: Path) -> None:
    state = ["--state", str(project.parent / "state")]
    new_data = ["--selector", "new_data", *state, "--exclude-resource-type", "unit_test"]
    everything = dbt_ls(project, "--exclude-resource-type", "unit_test")
    downstream_of_sources = dbt_ls(project, "--select", "source:*+")

    unchanged = dbt_ls(project, *new_data)
    left_out = everything - unchanged
    assert unchanged == {node for node in downstream_of_sources if not node.startswith("unit")}
    assert left_out >= REFERENCE_MODELS
    assert {node.split(".")[0] for node in left_out} == {"seed", "model", "test"}
    # the facts' tests against the dimensions stay: the facts' rows are new
    assert any("relationships_fct_consumption_daily" in node for node in unchanged)

    with (project / "seeds" / "regions.csv").open("a", encoding="utf-8") as seed:
        seed.write("99,Test region,1000000,2024\n")
    changed = dbt_ls(project, *new_data) - unchanged
    assert {"seed.wattlake.regions", "model.wattlake.dim_regions"} <= changed
    assert not {"seed.wattlake.weather_points", "model.wattlake.dim_dates"} & changed
    assert any(node.startswith("test.wattlake.unique_regions_") for node in changed)


def make_transform(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "transform", *arguments],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def changed_tables(env: dict[str, str], before: dict[str, list[tuple]]) -> list[str]:
    """The intermediate and mart tables whose rows differ from `before` (floats to 1e-9)."""
    after = snapshot(env)
    return [
        table
        for table in before.keys() | after.keys()
        if not same_rows(after.get(table, []), before.get(table, []))
    ]


def built_nodes(env: dict[str, str]) -> set[str]:
    results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    return {result["unique_id"] for result in results["results"]}


@pytest.mark.e2e
def test_make_transform_builds_new_data_after_a_first_build_and_stops_on_a_missing_table(
    copy: DemoWarehouse, tmp_path: Path
) -> None:
    env = {**copy.env, "DBT_STATE": str(tmp_path / "state")}
    first = make_transform(env)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr
    assert built_nodes(env) >= REFERENCE_MODELS  # no state yet: every node
    assert (tmp_path / "state" / "manifest.json").is_file()
    before = snapshot(env)

    second = make_transform(env)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr
    built = built_nodes(env)
    assert not REFERENCE_MODELS & built
    assert {"model.wattlake.fct_consumption_daily", "model.wattlake.stg_dlt__loads"} <= built
    assert changed_tables(env, before) == []

    with closing(copy.connect()) as conn, conn, conn.cursor() as cur:  # commits, then closes
        cur.execute("drop table staging.weather_points")
    stopped = make_transform(env)
    assert stopped.returncode != 0
    assert (
        "int_weather_weighted_to_regions reads staging.weather_points, which this build leaves"
        " out and which does not exist: build everything once with `make transform FULL=1`"
    ) in stopped.stdout, stopped.stdout[-3000:]
    assert changed_tables(env, before) == []  # stopped before building anything

    full = make_transform(env, "FULL=1")
    assert full.returncode == 0, full.stdout[-4000:] + full.stderr
    assert built_nodes(env) >= REFERENCE_MODELS
    assert changed_tables(env, before) == []
