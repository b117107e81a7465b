"""The load-ready parts of a landed éCO2mix file: CSV for PostgreSQL, Parquet for the lake.

Every source value is text (the file as published); the lineage columns are `_source_file`
(text), `_source_row` (int64, the line of the file), `_dlt_load_id` and `_dlt_id` (text). A CSV
part is COPYed by dlt's load workers; a Parquet part is copied as it is into the lake's
`raw/<table>/` by dlt's filesystem destination, after dlt's normalizer adds its `_dlt_id`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

PartFormat = Literal["csv", "parquet"]
PartWriter = Callable[[pa.RecordBatch, bool], None]  # (batch, first of its part)


def hint_schema(names: list[str], key: tuple[str, str]) -> pa.Schema:
    """The columns dlt is told about for an imported file (it does not sniff CSV)."""
    fields = [pa.field(name, pa.string(), nullable=name not in key) for name in names]
    fields += [
        pa.field("_source_file", pa.string(), nullable=False),
        pa.field("_source_row", pa.int64(), nullable=False),
        pa.field("_dlt_load_id", pa.string(), nullable=False),
        pa.field("_dlt_id", pa.string(), nullable=False),
    ]
    return pa.schema(fields)


def part_schema(names: list[str], key: tuple[str, str], fmt: PartFormat) -> pa.Schema:
    """The columns of a part. A Parquet part has no `_dlt_id`: dlt's normalizer adds one to
    every Parquet file it is given (`[normalize.parquet_normalizer] add_dlt_id`, which
    Open-Meteo's Arrow tables need), even an imported one that already has it."""
    schema = hint_schema(names, key)
    return schema.remove(schema.get_field_index("_dlt_id")) if fmt == "parquet" else schema


def open_part(path: Path, fmt: PartFormat, schema: pa.Schema, sinks: ExitStack) -> PartWriter:
    """Open one part for writing (closed with `sinks`): a function that writes a batch to it."""
    if fmt == "parquet":
        parquet = sinks.enter_context(pq.ParquetWriter(path, schema))
        return lambda batch, _first: parquet.write_batch(as_copied(batch, schema))
    sink = sinks.enter_context(open(path, "wb"))  # noqa: SIM115 (closed with `sinks`)
    return lambda batch, first: write_csv_batch(batch, sink, first)


def as_copied(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """The batch as PostgreSQL's COPY stores it, in the lake's column types: dlt's COPY reads an
    empty field of a nullable column as null (`FORCE_NULL`), so the lake writes null there."""
    columns = []
    for arrow_field in schema:
        column = batch.column(arrow_field.name)
        if arrow_field.nullable and pa.types.is_string(column.type):
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def write_csv_batch(batch: pa.RecordBatch, sink: BinaryIO, header: bool) -> None:
    """Unquoted CSV when no value needs quotes (a third smaller, so COPY reads less)."""
    try:
        options = pacsv.WriteOptions(include_header=header, quoting_style="none")
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, options)
        sink.write(buffer.getbuffer())
    except pa.ArrowInvalid:
        pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=header))
