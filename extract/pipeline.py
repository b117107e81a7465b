"""Runs the dlt pipelines: one per source, all loading into the `raw` schema.

This is the runner; the sources themselves live in `extract/sources/`. Each source gets its own
pipeline (and so its own state), both write to the same dataset, `raw`, through the `csv` loader
file format, which PostgreSQL ingests with COPY.
"""

from __future__ import annotations

import os
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

from extract import warehouse
from extract.landing import SourceError
from extract.sources import discover

# Tests point WATTLAKE_STATE_DIR at a temporary folder, as they do WATTLAKE_LANDING_DIR.
STATE_DIR = Path(
    os.environ.get("WATTLAKE_STATE_DIR", Path(__file__).resolve().parent.parent / ".local" / "dlt")
)
DATASET = "raw"
SOURCES = discover()  # every module of extract/sources/ that defines `<name>_source`


@dataclass
class StepSummary:
    source: str
    rows: dict[str, int]
    seconds: float

    def __str__(self) -> str:
        tables = ", ".join(f"{table} {count:,} rows" for table, count in self.rows.items())
        return f"{self.source}: {tables or 'nothing new to load'} ({self.seconds:.1f} s)"


def pipelines_dir() -> Path:
    """One working folder per database: dlt's local state belongs to the data it describes."""
    s = warehouse.settings()
    return STATE_DIR / f"{s['PGHOST']}_{s['PGPORT']}_{s['PGDATABASE']}".replace("/", "_")


def make_pipeline(name: str) -> dlt.Pipeline:
    pipeline = dlt.pipeline(
        pipeline_name=f"wattlake_{name}",
        destination=dlt.destinations.postgres(credentials=warehouse.dsn()),
        dataset_name=DATASET,
        pipelines_dir=str(pipelines_dir()),
        progress="log",
    )
    if not state_in_warehouse(pipeline.pipeline_name):
        # The database was reset (or is new): forget what the local state says was loaded.
        pipeline.drop()
    return pipeline


def state_in_warehouse(pipeline_name: str) -> bool:
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (f"{DATASET}._dlt_pipeline_state",))
        if not cur.fetchone()[0]:
            return False
        cur.execute(
            f"select exists (select 1 from {DATASET}._dlt_pipeline_state where pipeline_name = %s)",
            (pipeline_name,),
        )
        return bool(cur.fetchone()[0])


def run_source(name: str) -> StepSummary:
    """Extract, normalize and load one source; raises SourceError with a one-line reason.

    The steps run one by one, each announced on stdout, so a user (and the kill tests) can see
    where a run stopped. A package left by an interrupted run is finished first: dlt resumes it
    where it stopped, and the merge makes a replayed job harmless.
    """
    started = time.monotonic()
    pipeline = make_pipeline(name)
    try:
        if pipeline.list_extracted_load_packages() or pipeline.list_normalized_load_packages():
            progress(name, "finishing the load an interrupted run left behind")
            pipeline.normalize()
            pipeline.load()
        progress(name, "extract")
        pipeline.extract(SOURCES[name](), loader_file_format="csv")
        progress(name, "normalize")
        pipeline.normalize()
        progress(name, "load")
        pipeline.load()
    except PipelineStepFailed as failure:
        raise SourceError(root_cause(failure)) from None
    rows = loaded_rows(pipeline)
    return StepSummary(name, rows, time.monotonic() - started)


def loaded_rows(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Rows per data table in this run's packages (imported files count too, unlike normalize's)."""
    rows: dict[str, int] = {}
    extract_info = pipeline.last_trace.last_extract_info if pipeline.last_trace else None
    for package_metrics in extract_info.metrics.values() if extract_info else []:
        for metrics in package_metrics:
            for table, table_metrics in metrics["table_metrics"].items():
                if not table.startswith("_dlt"):
                    rows[table] = rows.get(table, 0) + table_metrics.items_count
    return rows


def progress(source: str, step: str) -> None:
    print(f"{source}: {step}", flush=True)


def root_cause(failure: BaseException) -> str:
    """The innermost error a user can act on, as one line."""
    error: BaseException | None = failure
    while error is not None:
        if isinstance(error, SourceError | warehouse.WarehouseError):
            return str(error)
        error = error.__cause__ or error.__context__
    innermost = failure
    while innermost.__cause__ or innermost.__context__:
        innermost = innermost.__cause__ or innermost.__context__
    text = str(innermost).strip().splitlines()
    return f"{type(innermost).__name__}: {text[0] if text else 'no detail'}"
