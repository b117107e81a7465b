"""Lake mode (`WATTLAKE_TARGET=lake`, docs/lake.md): the extract writes Parquet files through
dlt's filesystem destination, against the stand-in, with no PostgreSQL at all (PGPORT points
at a closed port).

What a lake holds is read the way staging reads it: the rows of completed loads only (their
`_dlt_load_id` in `raw/_dlt_loads`), then the newest row per key (the highest `_dlt_load_id`,
then `_source_row`). Kill -9 at several points of a run, then a re-run, must give the rows of
one clean run. To kill at an exact point, the test gives the run a `sitecustomize` module that
stops the process (SIGSTOP) when a chosen function is called the n-th time; then it kills it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import PROJECT_DIR, free_port

OCTOBER = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-11-01"}
PERIOD = {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-12-01"}
KEYS = {
    "eco2mix_regional": ("code_insee_region", "date_heure"),
    "eco2mix_national": ("perimetre", "date_heure"),
    "open_meteo_hourly": ("location_id", "time"),
}
PER_LOAD = ("_dlt_load_id", "_dlt_id")  # differ from one run to the next by design

PAUSE_HOOK = """
import importlib, os, signal
module_name, attribute, nth = os.environ["LAKE_TEST_PAUSE"].split(":")
owner = importlib.import_module(module_name)
*path, name = attribute.split(".")
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, name)
calls = []

def paused(*args, **kwargs):
    calls.append(1)
    if len(calls) == int(nth):
        open(os.environ["LAKE_TEST_PAUSED"], "w").close()
        os.kill(os.getpid(), signal.SIGSTOP)
    return original(*args, **kwargs)

setattr(owner, name, paused)
"""


class Lake:
    """A lake, landing zone and dlt state of their own, loaded from the stand-in. The lake is a
    folder of `workdir`, or `url` (an s3:// bucket: tests/spark/test_s3_lake.py), read through
    `filesystem` (fsspec; a local one by default)."""

    def __init__(
        self,
        workdir: Path,
        base_url: str,
        url: str = "",
        filesystem: fsspec.AbstractFileSystem | None = None,
        **config: str,
    ) -> None:
        self.workdir = workdir
        self.dir = workdir / "lake"
        self.fs = filesystem or fsspec.filesystem("file")
        self.root = url.split("://", 1)[1] if url else str(self.dir)
        self.env = {name: value for name, value in os.environ.items() if name[:2] != "PG"}
        self.env.update(
            PGHOST="127.0.0.1",
            PGPORT=str(free_port()),  # nothing listens: lake mode must not need PostgreSQL
            PYTHONPATH=str(PROJECT_DIR),
            WATTLAKE_TARGET="lake",
            WATTLAKE_LAKE_DIR=url or str(self.dir),
            WATTLAKE_LANDING_DIR=str(workdir / "raw"),
            WATTLAKE_STATE_DIR=str(workdir / "dlt"),
            SOURCES__ECO2MIX__BASE_URL=base_url,
            SOURCES__OPEN_METEO__BASE_URL=base_url,
            SOURCES__OPEN_METEO__FORECAST_BASE_URL=base_url,
            SOURCES__OPEN_METEO__PACING="off",
            **PERIOD,
            **config,
        )

    def run_extract(self, **config: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "extract"],
            cwd=PROJECT_DIR,
            env={**self.env, **config},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def extract(self, **config: str) -> subprocess.CompletedProcess:
        result = self.run_extract(**config)
        assert result.returncode == 0, f"extract failed:\n{result.stdout}\n{result.stderr}"
        return result

    def start_paused(self, function: str, nth: int = 1) -> subprocess.Popen:
        """Start the extract and return once it stopped itself (SIGSTOP) at the n-th call of
        `function` ("module:attribute")."""
        hook = self.workdir / "hook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text(PAUSE_HOOK)
        paused = self.workdir / "paused"
        paused.unlink(missing_ok=True)
        env = {
            **self.env,
            "PYTHONPATH": f"{hook}{os.pathsep}{PROJECT_DIR}",
            "LAKE_TEST_PAUSE": f"{function}:{nth}",
            "LAKE_TEST_PAUSED": str(paused),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "extract"], cwd=PROJECT_DIR, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while not paused.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=30)
                raise AssertionError(f"the run never reached {function}:\n{process.stderr}")
            time.sleep(0.02)
        return process

    def kill_at(self, function: str, nth: int = 1) -> None:
        """Run the extract, SIGKILL it at the n-th call of `function`."""
        process = self.start_paused(function, nth)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def files(self) -> set[str]:
        """Every file of the lake, relative to it."""
        if not self.fs.isdir(self.root):
            return set()
        return {str(Path(path).relative_to(Path(self.root))) for path in self.fs.find(self.root)}

    def folder(self, name: str, suffix: str = "") -> list[str]:
        """The files of `raw/<name>` ending in `suffix`, as paths of the lake's filesystem."""
        folder = f"{self.root}/raw/{name}"
        found = self.fs.find(folder) if self.fs.isdir(folder) else []
        return sorted(path for path in found if path.endswith(suffix))

    def completed_loads(self) -> set[str]:
        """Load ids recorded in `_dlt_loads` with status 0, read from the records themselves."""
        records = [json.loads(self.fs.cat(path)) for path in self.folder("_dlt_loads")]
        return {record["load_id"] for record in records if record["status"] == 0}

    def read(self, path: str, **options) -> pa.Table:
        return pq.read_table(path, filesystem=self.fs, **options)

    def unfinished_data_files(self) -> list[str]:
        done = self.completed_loads()
        return [
            path
            for table in KEYS
            for path in self.folder(table, ".parquet")
            if self.read(path, columns=["_dlt_load_id"])["_dlt_load_id"][0].as_py() not in done
        ]

    def table(self, name: str) -> pa.Table:
        files = self.folder(name, ".parquet")
        return pa.concat_tables([self.read(path) for path in files], promote_options="default")

    def staged_rows(self, name: str) -> list[tuple]:
        """The table as staging sees it: completed loads, the newest row per key, without the
        per-load columns, sorted."""
        rows = self.table(name).to_pylist()
        done = self.completed_loads()
        newest: dict[tuple, dict] = {}
        for row in rows:
            if row["_dlt_load_id"] not in done:
                continue
            key = tuple(row[column] for column in KEYS[name])
            rank = (row["_dlt_load_id"], row.get("_source_row") or 0)
            kept = newest.get(key)
            if kept is None or rank > (kept["_dlt_load_id"], kept.get("_source_row") or 0):
                newest[key] = row
        return sorted(
            tuple((column, value) for column, value in row.items() if column not in PER_LOAD)
            for row in newest.values()
        )


@pytest.fixture(scope="module")
def clean_lake(tmp_path_factory, standin) -> Lake:
    """The reference: one uninterrupted lake run of both sources over PERIOD."""
    lake = Lake(tmp_path_factory.mktemp("clean"), standin.base_url)
    lake.extract()
    return lake


MOMENTS = {
    # during extract: the November file of éCO2mix is being written into Parquet parts
    "extract": ("extract.sources.eco2mix.load:write_load_file", 2),
    # during normalize: dlt reads the first imported Parquet part
    "normalize": ("dlt.normalize.items_normalizers.arrow:ArrowItemsNormalizer.__call__", 1),
    # during load: one data file copied into the lake, the next one not yet
    "load": ("dlt.destinations.impl.filesystem.filesystem:FilesystemLoadJob.run", 2),
    # every data file in the lake, the state not yet
    "load-files-written": (
        "dlt.destinations.impl.filesystem.filesystem:FilesystemClient._store_current_state",
        1,
    ),
    # the state written too, the `_dlt_loads` record not yet (dlt writes it last)
    "load-state-written": (
        "dlt.destinations.impl.filesystem.filesystem:FilesystemClient._store_load",
        1,
    ),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_lake_run_killed_then_rerun_equals_a_clean_run(tmp_path, standin, clean_lake, moment):
    lake = Lake(tmp_path, standin.base_url)
    lake.extract(**OCTOBER)  # November will be appended to a lake that has October
    before = lake.files()
    lake.kill_at(*MOMENTS[moment])
    if moment.startswith("load-"):
        assert lake.unfinished_data_files(), "the kill came after the load completed"
        assert lake.files() - before  # the killed run wrote files that do not count
    result = lake.extract()
    if moment.startswith("load"):
        assert "interrupted run left a load unfinished" in result.stdout
    assert not lake.unfinished_data_files()
    for table in KEYS:
        assert lake.staged_rows(table) == clean_lake.staged_rows(table), table


def test_a_rerun_with_nothing_new_writes_no_file(tmp_path, standin, clean_lake):
    lake = Lake(tmp_path, standin.base_url)
    lake.extract()
    files = lake.files()
    result = lake.extract()
    assert "nothing new to load" in result.stdout
    assert lake.files() == files
    for table in KEYS:
        assert lake.staged_rows(table) == clean_lake.staged_rows(table), table


def test_one_new_day_appends_only_that_day_of_weather(tmp_path, standin):
    """Open-Meteo yields only the rows a chunk adds or changes: one new day appends one file of
    that day's hours. (An éCO2mix month file that changed is appended whole, as it may revise
    any value; staging keeps the newest row of each key.)"""
    lake = Lake(tmp_path, standin.base_url)
    lake.extract(SOURCES__END_DATE="2024-10-15")
    before = lake.files()
    loaded = max(lake.table("open_meteo_hourly")["time"].to_pylist())
    lake.extract(SOURCES__END_DATE="2024-10-16")
    new = [Path(name) for name in lake.files() - before if "/open_meteo_hourly/" in f"/{name}"]
    assert len(new) == 1
    weather = lake.read(f"{lake.root}/{new[0]}")
    hours = sorted(set(weather["time"].to_pylist()))
    # the hours after those loaded, up to the end of 2024-10-15 in Paris (21:00 UTC), 34 points
    assert loaded < hours[0] and hours[-1] == "2024-10-15T21:00" and len(hours) <= 24
    assert weather.num_rows == 34 * len(hours)


def test_a_month_cut_short_then_asked_whole_equals_a_clean_lake(tmp_path, standin, clean_lake):
    """A run whose end date cuts November short, then a run over the whole period: November is
    fetched again, whole, and staging sees the rows of one clean run. (Open-Meteo appends only
    the hours a chunk adds or changes, so its first half of November keeps the file that first
    loaded it: its rows are compared without `_source_file`.)"""
    lake = Lake(tmp_path, standin.base_url)
    lake.extract(SOURCES__END_DATE="2024-11-15")
    lake.extract()
    for table in ("eco2mix_regional", "eco2mix_national"):
        assert lake.staged_rows(table) == clean_lake.staged_rows(table), table
    weather, clean = (
        sorted(tuple(pair for pair in row if pair[0] != "_source_file") for row in rows)
        for rows in (
            lake.staged_rows("open_meteo_hourly"),
            clean_lake.staged_rows("open_meteo_hourly"),
        )
    )
    assert weather == clean


def test_parquet_column_types_are_those_of_the_contract(clean_lake):
    for table in ("eco2mix_regional", "eco2mix_national"):
        schema = clean_lake.table(table).schema
        lineage = {"_source_row": pa.int64()}
        for field in schema:
            assert field.type == lineage.get(field.name, pa.string()), (table, field)
        assert {"_source_file", "_source_row", "_dlt_load_id", "_dlt_id"} <= set(schema.names)
    weather = clean_lake.table("open_meteo_hourly").schema
    assert weather.field("time").type == pa.string()  # local-time text, never a timestamp
    assert weather.field("temperature_2m").type == pa.float64()
    assert weather.field("utc_offset_seconds").type == pa.int64()
    for name in ("location_id", "_source_file", "_dlt_load_id", "_dlt_id"):
        assert weather.field(name).type == pa.string(), name
    files = {Path(name).parts[1] for name in clean_lake.files()}
    assert {*KEYS, "_dlt_loads", "_dlt_pipeline_state", "_dlt_version"} <= files


def test_a_second_lake_run_is_refused_while_one_runs_without_postgresql(tmp_path, standin):
    lake = Lake(tmp_path, standin.base_url)
    first = lake.start_paused("dlt.normalize.items_normalizers.arrow:ArrowItemsNormalizer.__call__")
    try:
        second = subprocess.run(
            [sys.executable, "-m", "extract"], cwd=PROJECT_DIR, env=lake.env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second.returncode == 3, second.stderr
        assert f"another wattlake run holds the warehouse (pid {first.pid} " in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)


def test_the_lake_holds_the_rows_postgresql_raw_holds(make_warehouse, clean_lake):
    """The same landing files give the same rows, nulls included, in both targets."""
    warehouse = make_warehouse(**PERIOD)
    warehouse.extract(sources=("eco2mix", "open_meteo"))
    for table in KEYS:
        lake = clean_lake.table(table)
        columns = [name for name in lake.column_names if name not in PER_LOAD]
        names = ", ".join(f'"{name}"' for name in columns)
        in_postgres = sorted(
            map(tuple, warehouse.sql(f"select {names} from raw.{table}")), key=repr
        )
        in_lake = sorted(zip(*(lake[name].to_pylist() for name in columns), strict=True), key=repr)
        assert in_lake == in_postgres, table
        assert set(lake.column_names) == {
            row[0]
            for row in warehouse.sql(
                "select column_name from information_schema.columns"
                " where table_schema = 'raw' and table_name = %s",
                (table,),
            )
        }
