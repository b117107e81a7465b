"""Runs the dlt pipelines: one per source, all loading into the `raw` dataset.

This is the runner; the sources themselves live in `extract/sources/`. Each source gets its own
pipeline (and so its own state), all write to the same dataset, `raw`, of the target that
`WATTLAKE_TARGET` names (`Target`, at the end of this module): the PostgreSQL warehouse (the
default), through the `csv` loader file format, which PostgreSQL ingests with COPY; or the
Parquet lake (`extract/lake.py`), through dlt's `filesystem` destination.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

import dlt
import psycopg2
from dlt.common.destination import Destination, TLoaderFileFormat
from dlt.pipeline.exceptions import PipelineStepFailed

from extract import lake, warehouse
from extract.landing import SourceError
from extract.sources import Report, collecting, discover

# Tests point WATTLAKE_STATE_DIR at a temporary folder, as they do WATTLAKE_LANDING_DIR.
STATE_DIR = Path(
    os.environ.get("WATTLAKE_STATE_DIR", Path(__file__).resolve().parent.parent / ".local" / "dlt")
)
DATASET = "raw"
DUPLICATES_CHECKED = "duplicate_keys_checked"  # dlt local state: see remove_duplicate_keys
SOURCES = discover()  # every module of extract/sources/ that defines `<name>_source`


@dataclass
class StepSummary:
    source: str
    rows: dict[str, int]
    seconds: float
    bad_files: list[str] = field(default_factory=list)
    unchanged_files: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # the source failed: its one-line reason

    def __str__(self) -> str:
        if self.error:
            return f"{self.source}: failed, see the error below ({self.seconds:.1f} s)"
        tables = ", ".join(f"{table} {count:,} rows" for table, count in self.rows.items())
        unchanged = (
            f"; {self.unchanged_files:,} landed file(s) already loaded, skipped"
            if self.unchanged_files
            else ""
        )
        bad = f"; {len(self.bad_files)} bad file(s) skipped" if self.bad_files else ""
        warned = f"; {len(self.warnings)} warning(s)" if self.warnings else ""
        return (
            f"{self.source}: {tables or 'nothing new to load'}{unchanged}{bad}{warned}"
            f" ({self.seconds:.1f} s)"
        )


def pipelines_dir() -> Path:
    """One working folder per database: dlt's local state belongs to the data it describes."""
    s = warehouse.settings()
    return STATE_DIR / f"{s['PGHOST']}_{s['PGPORT']}_{s['PGDATABASE']}".replace("/", "_")


def lake_pipelines_dir() -> Path:
    """One working folder per lake folder, as per database."""
    return STATE_DIR / f"lake{lake.location()}".replace("/", "_").replace(":", "_")


def make_pipeline(name: str) -> dlt.Pipeline:
    where = target()
    pipeline = dlt.pipeline(
        pipeline_name=f"wattlake_{name}",
        destination=where.destination(),
        dataset_name=DATASET,
        pipelines_dir=str(where.pipelines_dir()),
        progress="log",
    )
    if not where.state_present(pipeline.pipeline_name):
        # The database (or lake) was reset, or is new: forget what the local state says was
        # loaded.
        pipeline.drop()
    return pipeline


def postgres_destination() -> Destination:
    return dlt.destinations.postgres(credentials=warehouse.dsn())


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
    where a run stopped. What the source reports (`extract.sources.Report`: files skipped as
    unreadable or already loaded, warnings) goes into the summary; files it left for the next
    load (`deferred_files`: they share keys with a file of this load) get another load, and so on.
    """
    started = time.monotonic()
    where = target()
    pipeline = make_pipeline(name)
    total = Report()
    rows: dict[str, int] = {}
    try:
        if where.left_unfinished(pipeline):
            progress(
                name, "an interrupted run left a load unfinished: redoing it from the landing zone"
            )
            pipeline = where.discard_unfinished(pipeline)
        # The state committed with the last complete load is the truth: a lost or stale local
        # state must not make an appended file load twice.
        pipeline.sync_destination()
        total.warnings.extend(where.remove_duplicate_keys(pipeline))
        first_load = True
        while True:
            report = load_once(pipeline, name, rows)
            total.bad_files += report.bad_files
            total.warnings += report.warnings
            if first_load:  # files an earlier load of this run took are not "already loaded"
                total.unchanged_files += report.unchanged_files
            if not report.deferred_files:
                break
            first_load = False
            progress(
                name,
                f"{len(report.deferred_files)} file(s) share keys with a file just loaded: "
                f"next load",
            )
    except (PipelineStepFailed, psycopg2.OperationalError, psycopg2.InterfaceError) as failure:
        if lost_warehouse(failure):
            step = getattr(failure, "step", "duplicate check")
            raise warehouse.WarehouseError(
                f"Lost the connection to the {warehouse.describe()} during the {name} "
                f"{step} ({root_cause(failure)}): start it again (`make db` for the "
                f"embedded one) and re-run; the interrupted load is thrown away and redone."
            ) from None
        raise SourceError(root_cause(failure)) from None
    return StepSummary(
        name,
        rows,
        time.monotonic() - started,
        list(dict.fromkeys(total.bad_files)),
        len(set(total.unchanged_files)),
        list(dict.fromkeys(total.warnings)),
    )


def load_once(pipeline: dlt.Pipeline, name: str, rows: dict[str, int]) -> Report:
    """One extract, normalize and load of the source; adds its rows per table to `rows`."""
    where = target()
    source = SOURCES[name]()
    if where.write_disposition:
        for resource in source.resources.values():
            resource.apply_hints(write_disposition=where.write_disposition)
    progress(name, "extract")
    with collecting() as report:
        pipeline.extract(source, loader_file_format=where.loader_file_format)
    progress(name, "normalize")
    pipeline.normalize()
    progress(name, "load")
    pipeline.load()
    for table, count in loaded_rows(pipeline).items():
        rows[table] = rows.get(table, 0) + count
    return report


def local_package_left(pipeline: dlt.Pipeline) -> bool:
    return bool(pipeline.list_extracted_load_packages() or pipeline.list_normalized_load_packages())


def discard_unfinished_load(pipeline: dlt.Pipeline) -> dlt.Pipeline:
    """Forget a package an interrupted run left, and every row it may have written.

    Appended files are COPYed straight into their tables, so replaying a half-done package
    could load some rows twice. Instead: drop the package and the local state, and delete the
    rows whose load never completed (their `_dlt_load_id` is not in `_dlt_loads`). The caller
    then restores the state committed with the last complete load (`sync_destination`) and
    extracts again from the landing zone, which still holds every file the package came from.
    """
    tables: list[str] = (
        pipeline.default_schema.data_table_names() if pipeline.default_schema_name else []
    )
    pipeline = pipeline.drop()
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (f"{DATASET}._dlt_loads",))
        if not cur.fetchone()[0]:
            return pipeline
        cur.execute(
            "select table_name from information_schema.columns"
            " where table_schema = %s and column_name = '_dlt_load_id' and table_name = any(%s)",
            (DATASET, tables),
        )
        for (table,) in cur.fetchall():
            cur.execute(
                f'delete from {DATASET}."{table}" as t where not exists'
                f" (select 1 from {DATASET}._dlt_loads as l where l.load_id = t._dlt_load_id)"
            )
        cur.execute(
            f"delete from {DATASET}._dlt_pipeline_state as s where pipeline_name = %s and not"
            f" exists (select 1 from {DATASET}._dlt_loads as l where l.load_id = s._dlt_load_id)",
            (pipeline.pipeline_name,),
        )
        conn.commit()
    return pipeline


def remove_duplicate_keys(pipeline: dlt.Pipeline) -> list[str]:
    """Delete rows that repeat a key of their table, keeping the newer load's row.

    Older versions let two concurrent runs load the same file twice (the run lock now forbids
    it): those copies stay in raw for good, since staging hides them. "Newer" is the later
    `_dlt_load_id` (dlt's load ids are timestamps), then the greater `_dlt_id`. A read-only
    look comes first (one aggregate per table), so a clean table is never locked for writing.
    That look costs seconds at full-history size (2.5 M rows), and under the lock no run can
    add duplicates, so it is done once per dlt working folder (a flag in dlt's local state,
    which a reset or a new machine starts without). Returns one line per table that had any,
    saying how many rows went.
    """
    with suppress(KeyError):
        if pipeline.get_local_state_val(DUPLICATES_CHECKED):
            return []
    notes: list[str] = duplicate_key_rows(pipeline) if pipeline.default_schema_name else []
    pipeline.set_local_state_val(DUPLICATES_CHECKED, True)
    return notes


def duplicate_key_rows(pipeline: dlt.Pipeline) -> list[str]:
    """`remove_duplicate_keys`' work, on every raw table of the pipeline's schema."""
    schema = pipeline.default_schema
    notes: list[str] = []
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        for table in schema.data_table_names():
            hints = schema.get_table_columns(table)
            key = [name for name, column in hints.items() if column.get("primary_key")]
            cur.execute("select to_regclass(%s) is not null", (f'{DATASET}."{table}"',))
            if not key or not cur.fetchone()[0]:
                continue
            columns = ", ".join(f'"{name}"' for name in key)
            cur.execute(
                f'select 1 from {DATASET}."{table}" group by {columns} having count(*) > 1 limit 1'
            )
            if cur.fetchone() is None:
                continue
            same_key = " and ".join(f'older."{name}" = newer."{name}"' for name in key)
            cur.execute(
                f'delete from {DATASET}."{table}" as older using {DATASET}."{table}" as newer'
                f" where {same_key} and (older._dlt_load_id, older._dlt_id)"
                f" < (newer._dlt_load_id, newer._dlt_id)"
            )
            if cur.rowcount:
                notes.append(
                    f"raw.{table} held {cur.rowcount:,} duplicate row(s) of its key "
                    f"({', '.join(key)}), left by an older version: removed, the newer load's "
                    f"row kept"
                )
        conn.commit()
    return notes


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


def lost_warehouse(failure: BaseException) -> bool:
    """True when the database went away (stopped, restarted, network cut) under a step."""
    error: BaseException | None = failure
    while error is not None:
        if isinstance(error, psycopg2.OperationalError | psycopg2.InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def root_cause(failure: BaseException) -> str:
    """The innermost error a user can act on, as one line."""
    error: BaseException | None = failure
    while error is not None:
        if isinstance(error, SourceError | warehouse.WarehouseError):
            return str(error)
        error = error.__cause__ or error.__context__
    innermost = failure
    while (inner := innermost.__cause__ or innermost.__context__) is not None:
        innermost = inner
    text = [line for line in str(innermost).strip().splitlines() if line.strip()]
    return f"{type(innermost).__name__}: {text[0].strip() if text else 'no detail'}"


@dataclass(frozen=True)
class Target:
    """Where the runs load, and the bookkeeping that depends on it (`WATTLAKE_TARGET`)."""

    destination: Callable[[], Destination]
    pipelines_dir: Callable[[], Path]
    loader_file_format: TLoaderFileFormat
    write_disposition: str  # forced on every resource ("" keeps each resource's own)
    describe: Callable[[], str]
    state_present: Callable[[str], bool]  # the destination holds the pipeline's state
    left_unfinished: Callable[[dlt.Pipeline], bool]
    discard_unfinished: Callable[[dlt.Pipeline], dlt.Pipeline]
    remove_duplicate_keys: Callable[[dlt.Pipeline], list[str]]


POSTGRES = Target(
    destination=postgres_destination,
    pipelines_dir=pipelines_dir,
    loader_file_format="csv",
    write_disposition="",
    describe=lambda: f"schema raw of the {warehouse.describe()}",
    state_present=state_in_warehouse,
    left_unfinished=local_package_left,
    discard_unfinished=discard_unfinished_load,
    remove_duplicate_keys=remove_duplicate_keys,
)
# Plain Parquet cannot merge: dlt's filesystem destination would log a warning and append
# anyway (FilesystemClient.verify_schema), so lake mode says append itself.
LAKE = Target(
    destination=lake.destination,
    pipelines_dir=lake_pipelines_dir,
    loader_file_format=lake.FILE_FORMAT,
    write_disposition="append",
    describe=lake.describe,
    state_present=lake.state_in_lake,
    left_unfinished=lake.left_unfinished,
    discard_unfinished=lake.discard_unfinished_load,
    remove_duplicate_keys=lake.remove_duplicate_keys,
)


def target() -> Target:
    """The target `WATTLAKE_TARGET` names (lake.TargetError for a bad setting)."""
    return LAKE if lake.enabled() else POSTGRES
