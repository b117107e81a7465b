"""Loading a landed éCO2mix file: straight to load-ready files that dlt imports as they are.

A file is streamed in Arrow batches (bounded memory whatever its size), given its lineage
columns and written as parts of `PART_ROWS` rows (`dlt.mark.with_file_import`: no Python
rows): CSV for PostgreSQL, which dlt's load workers COPY over parallel connections (no
normalize pass), or Parquet for the lake (`extract/lake.py`), which dlt's normalizer streams
once to add its `_dlt_id` and its filesystem destination copies into `raw/<table>/`. A
writer thread writes one batch while the next is parsed. `TableWrites` chooses append or
merge per table (the lake always appends) and keeps, in dlt's state,
which file contents are loaded (a re-run loads what changed).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import dlt
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.schema.typing import TColumnSchema

from extract import lake
from extract.landing import SourceError, file_sha256, relative
from extract.periods import paris_midnight
from extract.sources import report
from extract.sources.eco2mix.fetch import Month, refetch_hint
from extract.sources.eco2mix.parse import (
    TABLES,
    arrow_reason,
    column_names,
    header_check,
    read_header,
    stream_csv,
)
from extract.sources.eco2mix.parts import PartFormat, hint_schema, open_part, part_schema

PART_ROWS = 250_000  # rows per load-ready file: dlt's load workers COPY the parts in parallel
Disposition = Literal["append", "merge"]


@dataclass
class LoadFile:
    """What writing a load-ready file learned about it: enough to choose append or merge."""

    rows: int
    names: list[str]
    parts: list[tuple[Path, int]] = field(default_factory=list)  # (load-ready file, its rows)
    first_key: str = ""  # smallest `date_heure` (UTC text sorts as time)
    last_key: str = ""
    duplicate_keys: int = 0  # lines that repeat a key of an earlier line of the file
    keys: list[pa.Array] = field(default_factory=list)  # one int64 per row (`key_numbers`)
    codes: dict[str, int] = field(default_factory=dict)  # region or perimeter -> number

    def note_keys(self, batch: pa.RecordBatch, key: tuple[str, str]) -> None:
        """Widen the `date_heure` range by a batch's, and keep its keys for `count_duplicates`."""
        if not batch.num_rows:
            return
        date_heure = batch.column("date_heure")
        bounds = pc.min_max(date_heure).as_py()
        low, high = bounds["min"], bounds["max"]
        self.first_key = min(self.first_key or low, low)
        self.last_key = max(self.last_key, high)
        self.keys.append(key_numbers(batch.column(key[0]), date_heure, self.codes))

    def count_duplicates(self) -> None:
        if self.keys:
            distinct = pc.count_distinct(pa.chunked_array(self.keys, pa.int64())).as_py()
            self.duplicate_keys = self.rows - distinct
        self.keys = []


def write_load_file(
    path: Path, stem: Path, load_id: str, key: tuple[str, str], fmt: PartFormat = "csv"
) -> LoadFile:
    """Stream a landed export into load-ready files (technical names, lineage; CSV or Parquet).

    A new part (`<stem>.<n>.<fmt>`) starts every `PART_ROWS` rows, so dlt COPYs a big file over
    several connections at once (and a lake file stays a few MB). On the way it notes the
    file's `date_heure` range and whether a key repeats in it. Raises SourceError naming the
    file.
    """
    header = read_header(path)
    origin = str(path)
    header_check(header, origin, refetch_hint(path))
    names = column_names(header)
    missing = [name for name in key if name not in names]
    if missing:
        raise SourceError(
            f"{origin} has no `{missing[0]}` column in its header {header[:60]!r}: "
            f"{refetch_hint(path)}"
        )
    load = LoadFile(rows=0, names=names)
    lineage = (relative(path), load_id, f"{uuid.uuid4().hex[:12]}.")
    try:
        with open(path, "rb") as raw_file:
            parts = (stem, fmt, part_schema(names, key, fmt))
            write_parts(stream_csv(raw_file, header), parts, load, lineage, key)
    except pa.ArrowInvalid as error:
        raise SourceError(
            f"{origin} is not a valid éCO2mix CSV ({arrow_reason(error)}): {refetch_hint(path)}"
        ) from None
    except SourceError as error:
        raise SourceError(f"{origin}: {error}: {refetch_hint(path)}") from None
    load.count_duplicates()
    return load


def write_parts(
    batches: Iterable[pa.RecordBatch],
    parts: tuple[Path, PartFormat, pa.Schema],
    load: LoadFile,
    lineage: tuple[str, str, str],
    key: tuple[str, str],
) -> None:
    """Write the batches, with their lineage (source file, load id, row id prefix), to parts
    (`parts`: the path stem, the format, the columns)."""
    stem, fmt, schema = parts
    written: Future | None = None  # the previous batch, written by another thread meanwhile
    with ExitStack() as sinks, ThreadPoolExecutor(max_workers=1) as writer:
        for batch in batches:
            if not load.parts or load.parts[-1][1] >= PART_ROWS:
                load.parts.append((stem.with_name(f"{stem.name}.{len(load.parts)}.{fmt}"), 0))
                if written:
                    written.result()  # the previous part is complete before it is closed
                sinks.close()
                write = open_part(load.parts[-1][0], fmt, schema, sinks)
            out = with_lineage(batch, lineage[0], load.rows + 1, lineage[1], lineage[2])
            if written:
                written.result()
            written = writer.submit(write, out, load.parts[-1][1] == 0)
            load.parts[-1] = (load.parts[-1][0], load.parts[-1][1] + batch.num_rows)
            load.rows += batch.num_rows
            load.note_keys(out, key)
        if written:
            written.result()


def key_numbers(first: pa.Array, date_heure: pa.Array, codes: dict[str, int]) -> pa.Array:
    """One int64 per row for (region or perimeter, instant), cheaper to count distinct than the
    text keys. `codes` numbers the regions across batches."""
    for code in pc.unique(first).to_pylist():
        codes.setdefault(code, len(codes))
    numbers = pc.index_in(first, value_set=pa.array(list(codes), pa.string()))
    instants = pc.cast(date_heure, pa.timestamp("s", tz="UTC"))  # ISO 8601: a cast, no strptime
    seconds = pc.cast(instants, pa.int64())
    return pc.add(pc.multiply(pc.cast(numbers, pa.int64()), 1 << 40), seconds)


def utc_date_heure(column: pa.Array) -> pa.Array:
    """`date_heure` is the merge key, so one instant must have one spelling: UTC, `+00:00`.

    The API is asked for UTC already; a portal download carries Paris offsets (`+01:00`),
    which would otherwise make the same instant two keys. Every other value stays as published.
    """
    if pc.all(pc.ends_with(column, "+00:00")).as_py() is not False:
        return column
    try:
        instants = pc.strptime(column, format="%Y-%m-%dT%H:%M:%S%z", unit="s")
    except pa.ArrowInvalid as error:
        raise SourceError(f"a `date_heure` is not ISO 8601 ({arrow_reason(error)})") from None
    return pc.strftime(instants, format="%Y-%m-%dT%H:%M:%S+00:00")


def with_lineage(
    batch: pa.RecordBatch, source_file: str, first_row: int, load_id: str, id_prefix: str
) -> pa.RecordBatch:
    """Add the raw lineage columns: which file and line, which load, a unique row id.

    The columns are built in Arrow (`pa.repeat`, a numpy range), never from Python lists.
    """
    rows = batch.num_rows
    positions = pa.array(np.arange(first_row, first_row + rows, dtype=np.int64))
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    columns["date_heure"] = utc_date_heure(columns["date_heure"])
    columns["_source_file"] = pa.repeat(pa.scalar(source_file), rows)
    columns["_source_row"] = positions
    columns["_dlt_load_id"] = pa.repeat(pa.scalar(load_id), rows)
    columns["_dlt_id"] = pc.binary_join_element_wise(id_prefix, pc.cast(positions, pa.string()), "")
    return pa.RecordBatch.from_pydict(columns)


def read_export(path: Path) -> pa.Table:
    """A whole landed export as one Arrow table, technical names plus `_source_file` (tests)."""
    header = read_header(path)
    try:
        with open(path, "rb") as raw_file:
            table = pa.Table.from_batches(list(stream_csv(raw_file, header)))
    except pa.ArrowInvalid as error:
        raise SourceError(
            f"{path} is not a valid éCO2mix CSV ({arrow_reason(error)}): {refetch_hint(path)}"
        ) from None
    if table.num_columns == 0:
        table = pa.table({name: pa.array([], pa.string()) for name in column_names(header)})
    return table.append_column("_source_file", pa.array([relative(path)] * table.num_rows))


class TableWrites:
    """One raw table's bookkeeping in dlt's state, committed with the data it describes.

    It records which landed files the table holds (by content hash: a re-run loads only what
    changed) and the `date_heure` range of each. A file whose range overlaps no recorded range
    and that repeats no key cannot replace a row: it is appended, i.e. COPYed straight into
    the table. Any other file is merged (COPY into `raw_staging`, then delete-insert on the
    key), which writes every row twice. dlt gives a table one write disposition per load, so
    once a file of this run needs the merge, the table merges for the rest of the run.

    A merge keeps one row per key within a load (the last line of its file), whatever file the
    row came from; so a file whose range overlaps a file of this load is left for the next one
    (`claims`: the ranges of the files taken or left in this load).
    """

    def __init__(self, table: str) -> None:
        self.loaded: dict[str, str] = dlt.current.resource_state().setdefault("loaded_files", {})
        state = dlt.current.source_state()
        if "key_ranges" not in state and any(
            resource.get("loaded_files") for resource in state.get("resources", {}).values()
        ):
            # loaded by a version that kept no ranges: any key may be there, always merge
            state["key_ranges"] = {name: {"*": ["", "~"]} for name, _ in TABLES}
        self.ranges: dict[str, list[str]] = state.setdefault("key_ranges", {}).setdefault(table, {})
        self.merging = False
        self.claims: list[tuple[str, str]] = []

    def claim(self, load: LoadFile) -> bool:
        """Claim the file's `date_heure` range for this load; False if a file taken (or left for
        later) in this load overlaps it: then it must wait for the next load too."""
        free = not any(low <= load.last_key and load.first_key <= high for low, high in self.claims)
        if load.rows:
            self.claims.append((load.first_key, load.last_key))
        return free

    def write_disposition(self, load: LoadFile) -> Disposition:
        if lake.enabled():
            return "append"  # Parquet cannot merge: staging keeps the newest row per key
        overlaps = any(
            low <= load.last_key and load.first_key <= high for low, high in self.ranges.values()
        )
        self.merging = self.merging or overlaps or load.duplicate_keys > 0
        return "merge" if self.merging else "append"

    def replace(self, removed: list[str], source_file: str) -> None:
        """Files removed from the landing zone for `source_file`, a newer answer for their
        month: their rows stay in the table, so their ranges pass to `source_file` (the state
        keeps one entry per landed file, however often a month's window changed)."""
        for name in removed:
            self.loaded.pop(name, None)
            span = self.ranges.pop(name, None)
            if span:
                low, high = self.ranges.get(source_file, span)
                self.ranges[source_file] = [min(low, span[0]), max(high, span[1])]

    def record(self, source_file: str, digest: str, load: LoadFile) -> None:
        if load.rows:
            low, high = self.ranges.get(source_file, (load.first_key, load.last_key))
            self.ranges[source_file] = [min(low, load.first_key), max(high, load.last_key)]
        self.loaded[source_file] = digest


def load_landed(
    path: Path, key: tuple[str, str], writes: TableWrites, digest: str = ""
) -> Iterator[object]:
    """Yield a landed file to dlt as a load-ready CSV, unless this exact content is loaded.

    A file that cannot be read is reported (`bad_files`) and yields nothing; its hash is not
    recorded, so the next run tries it again.
    """
    source_file = relative(path)
    digest = digest or file_sha256(path)
    if writes.loaded.get(source_file) == digest:
        report("unchanged_files", source_file)
        return
    stem = import_dir() / uuid.uuid4().hex
    fmt: PartFormat = "parquet" if lake.enabled() else "csv"
    try:
        load = write_load_file(path, stem, current_load_id(), key, fmt)
        if not writes.claim(load):
            report("deferred_files", source_file)
            return
        if load.duplicate_keys:
            report(
                "warnings",
                f"{source_file} repeats the key ({', '.join(key)}) of an earlier line on "
                f"{load.duplicate_keys:,} line(s): of each key, the last line of the file is kept",
            )
        if load.rows:
            disposition = writes.write_disposition(load)
            hints = dlt.mark.make_hints(
                columns=hint_columns(hint_schema(load.names, key), disposition),
                write_disposition=disposition,
            )
            for part, rows in load.parts:
                yield dlt.mark.with_file_import(str(part), fmt, rows, hints=hints)
    except SourceError as error:
        report("bad_files", str(error))
        return
    finally:
        for part in stem.parent.glob(f"{stem.name}.*.{fmt}"):
            part.unlink()  # dlt hard-linked (or copied) it into its package
    writes.record(source_file, digest, load)


def hint_columns(schema: pa.Schema, disposition: Disposition) -> list[TColumnSchema]:
    """dlt's column hints; a merge keeps, of a key repeated in one load, its last line."""
    columns: list[TColumnSchema] = []
    for arrow_field in schema:
        column: TColumnSchema = {
            "name": arrow_field.name,
            "data_type": "bigint" if pa.types.is_integer(arrow_field.type) else "text",
            "nullable": arrow_field.nullable,
        }
        if arrow_field.name == "_source_row":
            column["dedup_sort"] = "desc" if disposition == "merge" else None
        columns.append(column)
    return columns


def import_dir() -> Path:
    """Where load-ready files are written: beside dlt's packages, so the import is a hard link."""
    folder = Path(dlt.current.pipeline().working_dir) / "eco2mix_imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def current_load_id() -> str:
    """The id dlt gives this load, written into every row (`_dlt_load_id`)."""
    return dlt.current.load_package_state()["load_id"]


def empty_month_warnings(empty: list[Month], writes: TableWrites, base_url: str) -> list[str]:
    """A month that came back with a header only, although the table holds rows before and after
    it, cannot be right: say so (it was not landed, so the next run asks again). Before the
    first row or after the last one it is a month not published (yet): nothing to say."""
    keys = [bound for name, span in writes.ranges.items() if name != "*" for bound in span]
    if not keys:
        return []
    first, last = min(keys), max(keys)
    found = []
    for month in empty:
        lower, upper = (utc_text(paris_midnight(day)) for day in (month.start, month.end))
        if first < lower and upper <= last:
            found.append(
                f"éCO2mix {month.dataset} {month.start:%Y-%m} came back with a header and no "
                f"row, inside the period already loaded ({first[:10]} → {last[:10]}): not "
                f"kept, the next run asks again ({month.origin(base_url)})"
            )
    return found


def utc_text(instant: dt.datetime) -> str:
    """An instant as raw spells `date_heure` (UTC, `+00:00`), which sorts as time."""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
