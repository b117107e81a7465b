"""The marts dbt built on Spark, read as Arrow tables straight from the warehouse's Parquet files.

A table of Spark's schema `marts` is a managed Parquet table: its files live in
`<warehouse>/marts.db/<table>/`, one folder per partition (`consumption_date=2024-10-01/`) for
the incremental facts. Reading them with pyarrow, rather than through a Spark session, is the
more robust way for a load step:
- no JVM to start (a session takes 26-30 s and up to 3 GiB), so `make publish` takes seconds;
- no Derby metastore to open: embedded Derby admits a single JVM, so a session would fail while
  a Thrift server or another dbt run holds it;
- only committed files are read: Spark writes into `_temporary/` or `.spark-staging-*` folders
  and moves the files in place when the job commits; pyarrow skips names starting with `_` or
  `.` (and Spark's `_SUCCESS` marker).
The same code reads a cluster's warehouse on object storage (`WATTLAKE_SPARK_WAREHOUSE=s3://...`,
through pyarrow's own filesystems; docs/scale-out.md).
Partition values come from the folder names (hive layout), as text, and are cast with the
other columns to the types of the PostgreSQL contract (extract/mart_contracts.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from extract import warehouse
from extract.mart_contracts import MARTS_SCHEMA, Mart

SPARK_DIR = Path(os.environ.get("WATTLAKE_SPARK_DIR", warehouse.PROJECT_DIR / ".local" / "spark"))
# Spark writes timestamps as INT96 by default; read them as microseconds, like PostgreSQL keeps.
PARQUET = ds.ParquetFileFormat(read_options={"coerce_int96_timestamp_unit": "us"})
# Spark's folder name for a null partition value.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


class SparkMartsError(RuntimeError):
    """A problem the user can fix; its message is one sentence naming the fix."""


def warehouse_dir(spark_dir: Path | None = None) -> str:
    """Spark's warehouse (spark.sql.warehouse.dir): `WATTLAKE_SPARK_WAREHOUSE` when set (a
    cluster's, e.g. s3://bucket/warehouse, docs/scale-out.md), else `<spark dir>/warehouse`."""
    if spark_dir is None and os.environ.get("WATTLAKE_SPARK_WAREHOUSE"):
        return os.environ["WATTLAKE_SPARK_WAREHOUSE"]
    return str((spark_dir or SPARK_DIR) / "warehouse")


def _filesystem(location: str | Path) -> tuple[pafs.FileSystem, str]:
    """pyarrow's filesystem for a folder or a URI (file://, s3://, gs://, abfs://)."""
    if "://" not in str(location):
        return pafs.LocalFileSystem(), str(Path(location).resolve())
    filesystem, path = pafs.FileSystem.from_uri(str(location))
    return filesystem, path


def _join(location: str | Path, *parts: str) -> str:
    """A folder under `location`, keeping a URI's options (`s3://b/w?region=...`) at the end."""
    base, mark, options = str(location).partition("?")
    return "/".join([base.rstrip("/"), *parts]) + mark + options


def table_dir(warehouse: str | Path, name: str) -> str:
    return _join(warehouse, f"{MARTS_SCHEMA}.db", name)


def _is_dir(location: str) -> bool:
    filesystem, path = _filesystem(location)
    return bool(filesystem.get_file_info(path).type == pafs.FileType.Directory)


def _data_files(location: str) -> list[str]:
    """The committed Parquet files under a table's folder (not in `_*` or `.*` folders)."""
    filesystem, path = _filesystem(location)
    found = filesystem.get_file_info(pafs.FileSelector(path, recursive=True))
    return [
        info.path
        for info in found
        if info.type == pafs.FileType.File
        and info.path.endswith(".parquet")
        and not any(part.startswith(("_", ".")) for part in info.path[len(path) :].split("/"))
    ]


def check_built(warehouse: str | Path, marts: list[Mart]) -> None:
    """Every mart must have been built on Spark, or nothing is published."""
    fix = "run DBT_TARGET=spark make transform first"
    if not _is_dir(_join(warehouse, f"{MARTS_SCHEMA}.db")):
        raise SparkMartsError(f"no Spark marts under {_shown(warehouse)}: {fix}.")
    missing = [mart.name for mart in marts if not _is_dir(table_dir(warehouse, mart.name))]
    if missing:
        raise SparkMartsError(
            f"{len(missing)} of {len(marts)} marts were not built on Spark under "
            f"{_shown(warehouse)} ({', '.join(missing)}): {fix}."
        )


def read_mart(warehouse: str | Path, mart: Mart) -> pa.Table:
    """One Spark mart as an Arrow table with the contract's column names, order and types."""
    folder = table_dir(warehouse, mart.name)
    files = _data_files(folder)
    if not files:  # an empty table has no data file, only _SUCCESS
        return pa.Table.from_batches([], schema=arrow_schema(mart))
    filesystem, base = _filesystem(folder)
    partitioning = ds.HivePartitioning.discover(
        infer_dictionary=False, null_fallback=NULL_PARTITION
    )
    dataset = ds.dataset(
        files,
        filesystem=filesystem,
        format=PARQUET,
        partitioning=partitioning,
        partition_base_dir=base,
    )
    return conform(dataset.to_table(), mart)


def arrow_schema(mart: Mart) -> pa.Schema:
    return pa.schema(
        [pa.field(c.name, c.arrow_type, nullable=not c.not_null) for c in mart.columns]
    )


def conform(table: pa.Table, mart: Mart) -> pa.Table:
    """`table` with exactly the contract's columns, in its order and types; a missing or extra
    column, or a value that does not fit its type, is a one-line error."""
    found = {name.lower(): name for name in table.column_names}
    wanted = mart.column_names
    missing = [name for name in wanted if name not in found]
    extra = [found[name] for name in found if name not in wanted]
    if missing or extra:
        raise SparkMartsError(
            f"Spark's {mart.name} does not have the contract's columns (missing: "
            f"{', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'}): rebuild it "
            "with DBT_TARGET=spark make transform."
        )
    arrays = []
    for column in mart.columns:
        values = table.column(found[column.name])
        try:
            arrays.append(_cast(values, column.arrow_type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise SparkMartsError(
                f"Spark's {mart.name}.{column.name} ({values.type}) does not fit PostgreSQL's "
                f"{column.data_type} ({str(error).splitlines()[0]}): fix the model's Spark SQL."
            ) from None
    return pa.Table.from_arrays(arrays, schema=arrow_schema(mart))


def _cast(values: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    if pa.types.is_timestamp(target) and pa.types.is_timestamp(values.type):
        # Spark's TIMESTAMP is an instant: its files hold UTC, with or without the UTC flag.
        values = values.cast(pa.timestamp("us", tz=values.type.tz))
        if values.type.tz is None:
            values = pc.assume_timezone(values, "UTC")
        return values.cast(target)
    return values.cast(target)


def _shown(location: str | Path) -> str:
    root, path = warehouse.PROJECT_DIR, Path(location)
    if "://" not in str(location) and path.is_relative_to(root):
        return str(path.relative_to(root))
    return str(location)
