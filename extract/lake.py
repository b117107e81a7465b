"""Lake mode (`WATTLAKE_TARGET=lake`): the same sources write dlt's `filesystem` destination.

The lake is a folder (`WATTLAKE_LAKE_DIR`, default `data/lake`) of Parquet files in dlt's
default layout: `raw/<table>/<load_id>.<file_id>.parquet`, beside dlt's own `_dlt_loads`,
`_dlt_pipeline_state` and `_dlt_version` folders (docs/lake.md). It is append-only: plain
Parquet has no merge (dlt's filesystem destination merges only Delta or Iceberg tables, and
without them it logs a warning and appends), so lake mode asks for append explicitly, and
staging keeps the newest row per key, as it does on PostgreSQL.

A row counts only if its load completed, i.e. its load id has a file in `raw/_dlt_loads`.
dlt writes that file last (after the data files and the state file), so a run killed at any
point leaves files of a load id without one: `discard_unfinished_load` deletes them before the
next run restores its state from the lake (`sync_destination`).
"""

from __future__ import annotations

import os
from pathlib import Path

import dlt
from dlt.common.destination import Destination, TLoaderFileFormat
from dlt.common.destination.configuration import ParquetFormatConfiguration

from extract.landing import PROJECT_DIR

TARGET_ENV = "WATTLAKE_TARGET"
TARGETS = ("postgres", "lake")
LAKE_DIR_ENV = "WATTLAKE_LAKE_DIR"
DATASET = "raw"
LOADS = "_dlt_loads"
STATE = "_dlt_pipeline_state"
FILE_FORMAT: TLoaderFileFormat = "parquet"


class TargetError(ValueError):
    """WATTLAKE_TARGET names no target; the message is the one line to print."""


def target() -> str:
    """`postgres` (the default) or `lake`; TargetError for any other setting."""
    value = os.environ.get(TARGET_ENV, "") or "postgres"
    if value not in TARGETS:
        raise TargetError(
            f"{TARGET_ENV} is {value!r}: set postgres (the warehouse, the default) or lake "
            f"(Parquet files under {LAKE_DIR_ENV}), e.g. `make extract TARGET=lake`."
        )
    return value


def enabled() -> bool:
    return target() == "lake"


def lake_dir() -> Path:
    return Path(os.environ.get(LAKE_DIR_ENV, "") or PROJECT_DIR / "data" / "lake").resolve()


def dataset_dir() -> Path:
    return lake_dir() / DATASET


def destination() -> Destination:
    """dlt's filesystem destination on the lake folder, in its default layout.

    dlt writes the `_dlt_load_id` it adds to Arrow tables dictionary-encoded unless the
    destination says it cannot read that: a plain string column is what the contract (and any
    Parquet reader) expects, so the lake says so."""
    return dlt.destinations.filesystem(
        bucket_url=lake_dir().as_uri(),
        parquet_format=ParquetFormatConfiguration(supports_dictionary_encoding=False),
    )


def describe() -> str:
    return f"lake {lake_dir()} (Parquet)"


def load_id_of(path: Path) -> str:
    """The load id a file of the lake belongs to: data files are `<load_id>.<file_id>.<ext>`,
    dlt's state and load files `<name>__<load_id>[__<hash>].jsonl`."""
    if "__" in path.name:
        return path.stem.split("__")[1]
    return path.name.rsplit(".", 2)[0]  # a load id is itself `<seconds>.<fraction>`


def completed_loads() -> set[str]:
    """Load ids with a record in `raw/_dlt_loads` (dlt writes status 0 only, once complete)."""
    return {load_id_of(path) for path in (dataset_dir() / LOADS).glob("*.jsonl")}


def state_in_lake(pipeline_name: str) -> bool:
    """True if the lake holds a state of the pipeline committed with a complete load."""
    done = completed_loads()
    states = (dataset_dir() / STATE).glob(f"{pipeline_name}__*.jsonl")
    return any(load_id_of(path) in done for path in states)


def unfinished_files() -> list[Path]:
    """Data and state files of loads that never completed (no record in `_dlt_loads`)."""
    folder = dataset_dir()
    if not folder.is_dir():
        return []
    done = completed_loads()
    found = []
    for table in sorted(path for path in folder.iterdir() if path.is_dir()):
        if table.name in (LOADS, "_dlt_version"):
            continue  # a schema version written before its load is only a schema, not rows
        found += [path for path in sorted(table.iterdir()) if load_id_of(path) not in done]
    return found


def left_unfinished(pipeline: dlt.Pipeline) -> bool:
    """A local package not loaded, or files of a load that never completed (a run killed, or
    one whose local dlt folder is gone)."""
    local = pipeline.list_extracted_load_packages() or pipeline.list_normalized_load_packages()
    return bool(local or unfinished_files())


def discard_unfinished_load(pipeline: dlt.Pipeline) -> dlt.Pipeline:
    """Forget a package an interrupted run left, and every file it may have written.

    The lake's equivalent of deleting, in PostgreSQL, the rows whose load never completed:
    the data files and state files whose load id has no `_dlt_loads` record are deleted, and
    the local package and state dropped. The caller then restores the state committed with
    the last complete load (`sync_destination`) and extracts again from the landing zone.
    """
    pipeline = pipeline.drop()
    for path in unfinished_files():
        path.unlink(missing_ok=True)
    return pipeline


def remove_duplicate_keys(pipeline: dlt.Pipeline) -> list[str]:
    """Nothing to do in the lake: rows of one key appended by several loads are harmless,
    because staging keeps the newest (latest `_dlt_load_id`, then greatest `_source_row`), and
    rewriting Parquet files to drop them would break the lake's append-only promise."""
    return []
