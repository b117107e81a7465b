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
Partition values come from the folder names (hive layout), as text, and are cast with the
other columns to the types of the PostgreSQL contract (extract/mart_contracts.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from extract import warehouse
from extract.mart_contracts import MARTS_SCHEMA, Mart

SPARK_DIR = Path(os.environ.get("WATTLAKE_SPARK_DIR", warehouse.PROJECT_DIR / ".local" / "spark"))
# Spark writes timestamps as INT96 by default; read them as microseconds, like PostgreSQL keeps.
PARQUET = ds.ParquetFileFormat(read_options={"coerce_int96_timestamp_unit": "us"})
# Spark's folder name for a null partition value.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


class SparkMartsError(RuntimeError):
    """A problem the user can fix; its message is one sentence naming the fix."""


def warehouse_dir(spark_dir: Path | None = None) -> Path:
    """Spark's warehouse (spark.sql.warehouse.dir) under the project's Spark state folder."""
    return (spark_dir or SPARK_DIR) / "warehouse"


def table_dir(warehouse: Path, name: str) -> Path:
    return warehouse / f"{MARTS_SCHEMA}.db" / name


def _has_files(folder: Path) -> bool:
    return any(
        path.suffix == ".parquet" and not any(part.startswith(("_", ".")) for part in path.parts)
        for path in (p.relative_to(folder) for p in folder.rglob("*.parquet"))
    )


def check_built(warehouse: Path, marts: list[Mart]) -> None:
    """Every mart must have been built on Spark, or nothing is published."""
    fix = "run DBT_TARGET=spark make transform first"
    if not (warehouse / f"{MARTS_SCHEMA}.db").is_dir():
        raise SparkMartsError(f"no Spark marts under {_shown(warehouse)}: {fix}.")
    missing = [mart.name for mart in marts if not table_dir(warehouse, mart.name).is_dir()]
    if missing:
        raise SparkMartsError(
            f"{len(missing)} of {len(marts)} marts were not built on Spark under "
            f"{_shown(warehouse)} ({', '.join(missing)}): {fix}."
        )


def read_mart(warehouse: Path, mart: Mart) -> pa.Table:
    """One Spark mart as an Arrow table with the contract's column names, order and types."""
    folder = table_dir(warehouse, mart.name)
    if not _has_files(folder):  # an empty table has no data file, only _SUCCESS
        return pa.Table.from_batches([], schema=arrow_schema(mart))
    partitioning = ds.HivePartitioning.discover(
        infer_dictionary=False, null_fallback=NULL_PARTITION
    )
    dataset = ds.dataset(folder, format=PARQUET, partitioning=partitioning)
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


def _shown(path: Path) -> str:
    root = warehouse.PROJECT_DIR
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
