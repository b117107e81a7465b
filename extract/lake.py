"""Lake mode (`WATTLAKE_TARGET=lake`): the same sources write dlt's `filesystem` destination.

The lake (`WATTLAKE_LAKE_DIR`, default `data/lake`) is a local folder or a bucket URL
(`s3://bucket/lake`, `gs://`, `az://`; Hadoop's `s3a://` is read as `s3://`) of Parquet files in
dlt's default layout: `raw/<table>/<load_id>.<file_id>.parquet`, beside dlt's own `_dlt_loads`,
`_dlt_pipeline_state` and `_dlt_version` folders (docs/lake.md). It is append-only: plain
Parquet has no merge (dlt's filesystem destination merges only Delta or Iceberg tables, and
without them it logs a warning and appends), so lake mode asks for append explicitly, and
staging keeps the newest row per key, as it does on PostgreSQL.

A row counts only if its load completed, i.e. its load id has a file in `raw/_dlt_loads`.
dlt writes that file last (after the data files and the state file), so a run killed at any
point leaves files of a load id without one: `discard_unfinished_load` deletes them before the
next run restores its state from the lake (`sync_destination`). The listing and deleting go
through dlt's own fsspec client for the lake, with the destination's credentials, so they work
the same on a folder and on object storage.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import dlt
from dlt.common.configuration import resolve_configuration
from dlt.common.destination import Destination, TLoaderFileFormat
from dlt.common.destination.configuration import ParquetFormatConfiguration
from dlt.common.storages import FilesystemConfiguration
from dlt.common.storages.fsspec_filesystem import fsspec_from_config
from fsspec import AbstractFileSystem

from extract.landing import PROJECT_DIR, SourceError

TARGET_ENV = "WATTLAKE_TARGET"
TARGETS = ("postgres", "lake")
LAKE_DIR_ENV = "WATTLAKE_LAKE_DIR"
DATASET = "raw"
LOADS = "_dlt_loads"
STATE = "_dlt_pipeline_state"
FILE_FORMAT: TLoaderFileFormat = "parquet"


class TargetError(ValueError):
    """WATTLAKE_TARGET names no target; the message is the one line to print."""


class LakeError(SourceError):
    """The lake cannot be listed or written (a bucket out of reach, credentials refused)."""


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


def location() -> str:
    """The lake as the user gave it: a URL (`s3://bucket/lake`) as it is, a folder resolved."""
    value = os.environ.get(LAKE_DIR_ENV, "").rstrip("/")
    if "://" in value:
        return value
    return str(Path(value or PROJECT_DIR / "data" / "lake").resolve())


def bucket_url() -> str:
    """dlt's `bucket_url` for the lake: a folder as a file:// URI; `s3a://` (the name Spark's
    Hadoop connector gives a bucket, docs/scale-out.md) as `s3://`, the same bucket for dlt."""
    where = location()
    if "://" not in where:
        return Path(where).as_uri()
    return "s3://" + where.removeprefix("s3a://") if where.startswith("s3a://") else where


def destination() -> Destination:
    """dlt's filesystem destination on the lake, in its default layout.

    dlt writes the `_dlt_load_id` it adds to Arrow tables dictionary-encoded unless the
    destination says it cannot read that: a plain string column is what the contract (and any
    Parquet reader) expects, so the lake says so."""
    return dlt.destinations.filesystem(
        bucket_url=bucket_url(),
        parquet_format=ParquetFormatConfiguration(supports_dictionary_encoding=False),
    )


def describe() -> str:
    return f"lake {location()} (Parquet)"


def storage() -> tuple[AbstractFileSystem, str]:
    """The fsspec filesystem dlt writes the lake with, and the path of dataset `raw` in it.

    The credentials are the destination's (`[destination.filesystem.credentials]` in
    .dlt/secrets.toml or `DESTINATION__FILESYSTEM__CREDENTIALS__*`), resolved as dlt does."""
    config = resolve_configuration(
        FilesystemConfiguration(bucket_url=bucket_url()), sections=("destination", "filesystem")
    )
    filesystem, path = fsspec_from_config(config)
    if config.is_local_filesystem:
        path = config.make_local_path(config.bucket_url)
    return filesystem, posixpath.join(path, DATASET)


def load_id_of(name: str) -> str:
    """The load id a file of the lake belongs to: data files are `<load_id>.<file_id>.<ext>`,
    dlt's state and load files `<name>__<load_id>[__<hash>].jsonl`."""
    if "__" in name:
        return name.split("__")[1].removesuffix(".jsonl")
    return name.rsplit(".", 2)[0]  # a load id is itself `<seconds>.<fraction>`


def lake_files() -> dict[str, list[str]]:
    """The file names of each folder of dataset `raw` (`{table: [name, ...]}`), in one listing
    (a single paginated LIST on object storage)."""
    filesystem, dataset = storage()
    try:
        found = filesystem.find(dataset) if filesystem.isdir(dataset) else []
    except Exception as error:  # each backend has its own errors (OSError, botocore's, ...)
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise LakeError(
            f"cannot list the lake {location()} ({detail}): check {LAKE_DIR_ENV} and the "
            f"[destination.filesystem.credentials] in .dlt/secrets.toml (docs/scale-out.md)"
        ) from None
    folders: dict[str, list[str]] = {}
    for path in found:
        folder, name = posixpath.split(posixpath.relpath(path, dataset))
        if folder:  # `init`, dlt's marker of a dataset, sits at the top
            folders.setdefault(folder, []).append(name)
    return {folder: sorted(names) for folder, names in sorted(folders.items())}


def completed_loads(files: dict[str, list[str]] | None = None) -> set[str]:
    """Load ids with a record in `raw/_dlt_loads` (dlt writes status 0 only, once complete)."""
    files = lake_files() if files is None else files
    return {load_id_of(name) for name in files.get(LOADS, []) if name.endswith(".jsonl")}


def state_in_lake(pipeline_name: str) -> bool:
    """True if the lake holds a state of the pipeline committed with a complete load."""
    files = lake_files()
    done = completed_loads(files)
    states = [name for name in files.get(STATE, []) if name.startswith(f"{pipeline_name}__")]
    return any(load_id_of(name) in done for name in states)


def unfinished_files() -> list[str]:
    """Data and state files of loads that never completed (no record in `_dlt_loads`), as
    paths of the lake's filesystem."""
    files = lake_files()
    done = completed_loads(files)
    _, dataset = storage()
    return [
        posixpath.join(dataset, folder, name)
        # a schema version written before its load is only a schema, not rows
        for folder, names in files.items()
        if folder not in (LOADS, "_dlt_version")
        for name in names
        if load_id_of(name) not in done
    ]


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

    One writer per lake: a second machine's run in flight has files without a record too, and
    this would delete them. On one host the extract's lock keeps runs apart (extract/lock.py);
    a bucket shared by several hosts needs one scheduler for its writers (docs/scale-out.md).
    """
    pipeline = pipeline.drop()
    unfinished = unfinished_files()
    if unfinished:
        filesystem, _ = storage()
        filesystem.rm(unfinished)
    return pipeline


def remove_duplicate_keys(pipeline: dlt.Pipeline) -> list[str]:
    """Nothing to do in the lake: rows of one key appended by several loads are harmless,
    because staging keeps the newest (latest `_dlt_load_id`, then greatest `_source_row`), and
    rewriting Parquet files to drop them would break the lake's append-only promise."""
    return []
