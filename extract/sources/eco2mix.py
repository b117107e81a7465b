"""RTE éCO2mix consumption and production, from ODRÉ's CSV exports (Opendatasoft Explore v2.1).

Remote: each dataset is fetched in month chunks (a `where` filter on `date_heure`), each chunk is
kept in the landing zone as `data/raw/csv/eco2mix/<dataset>/<YYYY-MM>.csv`. Local: files a user
downloaded by hand from the portal (`[sources.eco2mix] local_path`, a file or a folder) are
copied unchanged to `data/raw/csv/eco2mix/local/`. Either way the landed file is then loaded
as-is (every value as text, null markers included) into `raw.eco2mix_regional` or
`raw.eco2mix_national`, merged on (region or perimeter, `date_heure`).

Why the load looks the way it does (fast and lean): a landed file is streamed in Arrow batches
(`pyarrow.csv.open_csv`, bounded memory whatever its size), renamed to the technical field names,
given its lineage columns, and written straight to load-ready CSVs that dlt imports as is
(`dlt.mark.with_file_import`): no Python rows, no dlt normalize pass. A writer thread writes one
batch while the next is parsed, and a big file is cut into parts of `PART_ROWS` rows, which
dlt's load workers COPY over parallel connections: into the table when the file is appended,
into the staging table when it is merged, after which dlt's merge (delete-insert) replaces rows
by key in one transaction. Within one load a key that appears twice in a file keeps its last
line (`dedup_sort` on `_source_row`); a file that shares keys with an earlier file of the same
load is left for the next load (`TableWrites.claim`); across loads, the later load wins.

Incremental: a month whose file is already landed is not fetched again once it is older than
`refresh_days` (recent months are still being revised by RTE), and a landed file is loaded only
when its content changed since the last successful load (its hash is kept in dlt's state, which
is committed together with the data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import dlt
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import requests

from extract import http
from extract.landing import (
    LANDING_DIR,
    SourceError,
    clip_start,
    download,
    file_sha256,
    is_settled,
    month_chunks,
    paris_midnight,
    relative,
    write_atomically,
)

REGIONAL = ("eco2mix_regional", ("code_insee_region", "date_heure"))
NATIONAL = ("eco2mix_national", ("perimetre", "date_heure"))
# Real-time rows get tables of their own, so they can never replace a consolidated or
# definitive row in raw (staging decides which one wins).
REGIONAL_TR = ("eco2mix_regional_tr", REGIONAL[1])
NATIONAL_TR = ("eco2mix_national_tr", NATIONAL[1])
TABLES = (REGIONAL, NATIONAL, REGIONAL_TR, NATIONAL_TR)
# dataset -> (table in raw, merge key)
DATASETS: dict[str, tuple[str, tuple[str, str]]] = {
    "eco2mix-regional-cons-def": REGIONAL,
    "eco2mix-national-cons-def": NATIONAL,
    "eco2mix-regional-tr": REGIONAL_TR,
    "eco2mix-national-tr": NATIONAL_TR,
}
# The first Paris day each dataset holds (ODRÉ's dataset pages); a start_date before it is clipped.
FIRST_DAYS = {
    "eco2mix-regional-cons-def": dt.date(2013, 1, 1),
    "eco2mix-national-cons-def": dt.date(2012, 1, 1),
    "eco2mix-regional-tr": dt.date(2013, 1, 1),
    "eco2mix-national-tr": dt.date(2012, 1, 1),
}
REAL_TIME = "Données temps réel"
# The portal's French labels (use_labels=true, what a hand download has) whose plain slug is not
# the technical field name; every other label slugs to its technical name ("Consommation (MW)").
LABEL_OVERRIDES = {
    "region": "libelle_region",
    "date_et_heure": "date_heure",
    "prevision_j_1": "prevision_j1",
    "taux_de_co2": "taux_co2",
    "fioul_cogeneration": "fioul_cogen",
    "gaz_cogeneration": "gaz_cogen",
    "hydraulique_fil_de_l_eau_eclusee": "hydraulique_fil_eau_eclusee",
}
EXPORT_PATH = "/api/explore/v2.1/catalog/datasets/{dataset}/exports/csv"
DELIMITER = ";"
LOCAL_FOLDER = "local"
LINEAGE = ("_source_file", "_source_row", "_dlt_load_id", "_dlt_id")
BLOCK_SIZE = 2 << 20  # bytes of CSV per Arrow batch: bounds memory (8 MiB: +200 MiB peak RSS)
# rows per load-ready file: dlt's load workers COPY the parts of a big file in parallel
PART_ROWS = 250_000
# Columns of text; every other column of an export holds numbers, empty, `-` or `ND` (both
# markers mean "no value": staging reads them as null).
TEXT_FIELDS = frozenset(
    ("perimetre", "nature", "date", "heure", "date_heure", "libelle_region", "code_insee_region")
)
UNNAMED = re.compile(r"column_\d+")  # the portal's name for an unlabelled trailing column
NUMBER_OR_NULL = r"^(-?[0-9]+(\.[0-9]+)?|-|ND)?$"


# --- fetching --------------------------------------------------------------------------------


def export_params(chunk_start: dt.date, chunk_end: dt.date) -> dict[str, str]:
    """The export of the Paris days [chunk_start, chunk_end).

    Each bound carries its Paris offset, so it is the same instant whatever `timezone` says
    (a bare date would be a UTC midnight, an hour after the French day starts).
    """
    lower, upper = (paris_midnight(day).isoformat() for day in (chunk_start, chunk_end))
    return {
        "where": f"date_heure >= '{lower}' and date_heure < '{upper}'",
        "order_by": "date_heure",
        "timezone": "UTC",
        "use_labels": "false",
        "delimiter": DELIMITER,
        "with_bom": "false",
    }


def landing_path(dataset: str, chunk_start: dt.date) -> Path:
    return LANDING_DIR / "csv" / "eco2mix" / dataset / f"{chunk_start:%Y-%m}.csv"


def validate_csv(
    body: bytes, origin: str = "The éCO2mix export", window: tuple[str, str] | None = None
) -> int:
    """Reject what is not a complete, plausible éCO2mix export before it reaches the landing zone.

    Checks the cheap things first (an HTML/JSON error page, the delimiter, a body cut short),
    then parses the whole body, so a chunk that lands is a chunk that loads; every value of a
    numeric column must be a number or a null marker, and every `date_heure` inside `window`
    ([lower, upper) as ISO 8601 instants). Returns the row count; raises `EmptyAnswer` for a
    header without rows, SourceError for the rest.
    """
    head = body[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head[:1] in (b"<", b"{", b"["):
        kind = "an HTML page" if head[:1] == b"<" else "JSON"
        raise SourceError(
            f"{origin} answered {kind} instead of CSV: the service is failing; re-run later."
        )
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    header_check(first_line.decode("utf-8", "replace"), origin, "the service ignored it; re-run")
    if body and not body.endswith(b"\n"):
        raise SourceError(f"{origin} is truncated (no end of line after its last row): re-run.")
    rows = 0
    try:
        for batch in stream_csv(io.BytesIO(body), first_line.decode("utf-8", "replace")):
            check_values(batch, origin, window)
            rows += batch.num_rows
    except pa.ArrowInvalid as error:
        raise SourceError(f"{origin} is malformed ({arrow_reason(error)}): re-run.") from None
    if not rows:
        raise EmptyAnswer(f"{origin} answered a header and no row")
    return rows


class EmptyAnswer(SourceError):
    """A complete export with no row: a month not published (yet), or a glitch of the service."""


def check_values(batch: pa.RecordBatch, origin: str, window: tuple[str, str] | None) -> None:
    """Numbers where numbers belong (no decimal comma, no text) and no instant off the window."""
    for name in batch.schema.names:
        if name in TEXT_FIELDS or UNNAMED.fullmatch(name):
            continue
        column = batch.column(name)
        valid = pc.match_substring_regex(column, NUMBER_OR_NULL)
        if pc.all(valid).as_py() is False:
            value = pc.filter(column, pc.invert(valid))[0].as_py()
            raise SourceError(
                f"{origin} has {value!r} in the numeric column `{name}` (a decimal comma or "
                f"text): the service sent a bad export; nothing of it was kept, re-run later."
            )
    if window is None or not batch.num_rows:
        return
    instants = pc.strptime(batch.column("date_heure"), format="%Y-%m-%dT%H:%M:%S%z", unit="s")
    lower, upper = (dt.datetime.fromisoformat(bound) for bound in window)
    bounds = pc.min_max(instants).as_py()
    if bounds["min"] < lower or bounds["max"] >= upper:
        stray = bounds["min"] if bounds["min"] < lower else bounds["max"]
        raise SourceError(
            f"{origin} holds a row at {stray:%Y-%m-%dT%H:%M%z}, outside the period asked "
            f"({window[0]} → {window[1]}): nothing of it was kept, re-run later."
        )


def header_check(first_line: str, origin: str, fix: str = "") -> None:
    """A header must hold a date-time column and be `;`-delimited; say which delimiter it has."""
    if not first_line.strip():
        raise SourceError(
            f"{origin} is empty: {fix or 'download it again from the portal (CSV, delimiter ;)'}."
        )
    start = first_line.lstrip()[:1]
    if start in ("<", "{", "["):
        kind = "an HTML page" if start == "<" else "JSON"
        raise SourceError(
            f"{origin} holds {kind}, not CSV: "
            f"{fix or 'download it again from the portal (CSV, delimiter ;)'}."
        )
    names = [technical_name(name) for name in first_line.split(DELIMITER)]
    if len(names) < 2:
        found = next((d for d in (",", "\t", "|") if d in first_line), None)
        detail = f"delimited by {found!r}, not {DELIMITER!r}" if found else "not delimited by ';'"
        raise SourceError(
            f"{origin} is {detail}: "
            f"{fix or 'export it again with the delimiter ; (the portal default)'}."
        )
    if "date_heure" not in names:
        raise SourceError(
            f"{origin} has no `date_heure` (or `Date - Heure`) column in its header "
            f"{first_line[:60]!r}: is it an éCO2mix export?"
        )


def arrow_reason(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:160]


# --- parsing ---------------------------------------------------------------------------------


def technical_name(header: str) -> str:
    """`Prévision J-1 (MW)` -> `prevision_j1`; technical names map to themselves."""
    ascii_only = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    without_unit = re.sub(r"\([^)]*\)", "", ascii_only)
    slug = re.sub(r"[^0-9a-z]+", "_", without_unit.lower()).strip("_")
    return LABEL_OVERRIDES.get(slug, slug)


def column_names(header_line: str) -> list[str]:
    """Technical names for a header; an unnamed column gets `column_<n>` like the portal's."""
    names: list[str] = []
    for position, label in enumerate(next(csv.reader([header_line], delimiter=DELIMITER), [])):
        name = technical_name(label) or f"column_{position + 1}"
        while name in names:  # two labels slugging alike must not collide
            name += "_"
        names.append(name)
    return names


def read_header(path: Path) -> str:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return handle.readline().rstrip("\r\n")


def stream_csv(source, header_line: str) -> Iterator[pa.RecordBatch]:
    """Arrow batches of a landed export, every column as text exactly as published."""
    names = column_names(header_line)
    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(
            skip_rows=1, column_names=names, block_size=BLOCK_SIZE, use_threads=True
        ),
        parse_options=pacsv.ParseOptions(delimiter=DELIMITER, newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    yield from reader


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

    The constant columns are `pa.repeat` arrays and the positions a numpy range: building
    them from Python lists cost as much as parsing the file.
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


def table_for(path: Path, names: list[str]) -> tuple[str, tuple[str, str]]:
    """Regional or national, consolidated or real time, told by the file itself.

    Hand downloads do not say which dataset they come from: the header tells regional from
    national, the first row's `nature` real time (`Données temps réel`) from the rest.
    """
    real_time = first_nature(path, names) == REAL_TIME
    if "code_insee_region" in names:
        return REGIONAL_TR if real_time else REGIONAL
    if "perimetre" in names:
        return NATIONAL_TR if real_time else NATIONAL
    raise SourceError(
        f"{path} has neither a `Code INSEE région` nor a `Périmètre` column: "
        f"is it an éCO2mix regional or national export?"
    )


def first_nature(path: Path, names: list[str]) -> str:
    if "nature" not in names:
        return ""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle, delimiter=DELIMITER)
        try:
            next(rows, None)
            first = next(rows, [])
        except csv.Error as error:  # e.g. a field larger than csv.field_size_limit()
            raise SourceError(
                f"{path} cannot be read as an éCO2mix export ({error}, in its first rows): "
                f"download it again from the portal (CSV, delimiter ';'), then re-run."
            ) from None
    position = names.index("nature")
    return first[position] if position < len(first) else ""


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


@dataclass
class LoadFile:
    """What writing a load-ready file learned about it: enough to choose append or merge."""

    rows: int
    names: list[str]
    parts: list[tuple[Path, int]] = field(default_factory=list)  # (load-ready file, its rows)
    first_key: str = ""  # smallest `date_heure` (UTC text sorts as time)
    last_key: str = ""
    duplicate_keys: int = 0  # lines that repeat a key of an earlier line of the file


def write_load_file(path: Path, stem: Path, load_id: str, key: tuple[str, str]) -> LoadFile:
    """Stream a landed export into load-ready CSVs (technical names, lineage, `,`).

    A new part (`<stem>.<n>.csv`) starts every `PART_ROWS` rows, so dlt COPYs a big file over
    several connections at once. On the way it notes the file's `date_heure` range and whether
    a key repeats in it (the keys are kept as one int64 per row until the end). Raises
    SourceError naming the file.
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
    source_file = relative(path)
    id_prefix = f"{uuid.uuid4().hex[:12]}."
    load = LoadFile(rows=0, names=names)
    keys: list[pa.Array] = []
    codes: dict[str, int] = {}
    written = None  # the previous batch, written by another thread while this one is built
    try:
        with (
            open(path, "rb") as raw_file,
            ExitStack() as sinks,
            ThreadPoolExecutor(max_workers=1) as writer,
        ):
            for batch in stream_csv(raw_file, header):
                if not load.parts or load.parts[-1][1] >= PART_ROWS:
                    load.parts.append((stem.with_name(f"{stem.name}.{len(load.parts)}.csv"), 0))
                    sink = sinks.enter_context(open(load.parts[-1][0], "wb"))
                out = with_lineage(batch, source_file, load.rows + 1, load_id, id_prefix)
                if written:
                    written.result()
                written = writer.submit(write_csv_batch, out, sink, load.parts[-1][1] == 0)
                load.parts[-1] = (load.parts[-1][0], load.parts[-1][1] + batch.num_rows)
                load.rows += batch.num_rows
                date_heure = out.column("date_heure")
                bounds = pc.min_max(date_heure).as_py()
                if batch.num_rows:
                    low, high = bounds["min"], bounds["max"]
                    load.first_key = min(load.first_key or low, low)
                    load.last_key = max(load.last_key, high)
                    keys.append(key_numbers(out.column(key[0]), date_heure, codes))
            if written:
                written.result()
    except pa.ArrowInvalid as error:
        raise SourceError(
            f"{origin} is not a valid éCO2mix CSV ({arrow_reason(error)}): {refetch_hint(path)}"
        ) from None
    except SourceError as error:
        raise SourceError(f"{origin}: {error}: {refetch_hint(path)}") from None
    if keys:
        distinct = pc.count_distinct(pa.chunked_array(keys, pa.int64())).as_py()
        load.duplicate_keys = load.rows - distinct
    return load


def key_numbers(first: pa.Array, date_heure: pa.Array, codes: dict[str, int]) -> pa.Array:
    """One int64 per row for (region or perimeter, instant): counting distinct ones is ~5x
    cheaper than for the text keys. `codes` numbers the regions across batches."""
    for code in pc.unique(first).to_pylist():
        codes.setdefault(code, len(codes))
    numbers = pc.index_in(first, value_set=pa.array(list(codes), pa.string()))
    instants = pc.cast(date_heure, pa.timestamp("s", tz="UTC"))  # ISO 8601: 5x strptime
    seconds = pc.cast(instants, pa.int64())
    return pc.add(pc.multiply(pc.cast(numbers, pa.int64()), 1 << 40), seconds)


def write_csv_batch(batch: pa.RecordBatch, sink, header: bool) -> None:
    """Unquoted CSV when no value needs quotes (a third smaller, so COPY reads less)."""
    try:
        options = pacsv.WriteOptions(include_header=header, quoting_style="none")
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, options)
        sink.write(buffer.getbuffer())
    except pa.ArrowInvalid:
        pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=header))


def refetch_hint(path: Path) -> str:
    if LOCAL_FOLDER in path.relative_to(LANDING_DIR).parts[2:3]:
        return "download it again from the portal (CSV, delimiter ';'), then re-run"
    return f"delete {path} and re-run to fetch it again"


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


@dataclass
class Report:
    """What a run tells its caller besides rows: unreadable files, files skipped as loaded,
    files left for the next load (`deferred_files`; without that list nothing is deferred), and
    warnings (answers that were not kept, although the run goes on)."""

    bad_files: list[str]
    unchanged_files: list[str] | None = None
    deferred_files: list[str] | None = None
    warnings: list[str] = field(default_factory=list)

    def unchanged(self, source_file: str) -> None:
        if self.unchanged_files is not None:
            self.unchanged_files.append(source_file)


# --- the dlt source --------------------------------------------------------------------------


@dlt.source(name="eco2mix")
def eco2mix_source(
    base_url: str = dlt.config.value,
    start_date: str = dlt.config.value,
    end_date: str = "",
    datasets: list[str] = dlt.config.value,
    local_path: str = "",
    refresh_days: int = 45,
    real_time_days: int = 62,
    http_retries: int = 5,
    http_backoff_s: float = 1.0,
    timeout_seconds: float = 120.0,
    bad_files: list[str] | None = None,
    unchanged_files: list[str] | None = None,
    deferred_files: list[str] | None = None,
    warnings: list[str] | None = None,
) -> list:
    """One resource per dataset (remote), or per table for hand-downloaded files (local_path).

    `end_date` empty means up to today (exclusive bound). The real-time `-tr` datasets only
    hold recent weeks, so they are fetched from `real_time_days` ago at most. A landed file
    that cannot be read is skipped (its reason appended to `bad_files`), the others load; a
    landed file whose exact content is already in raw is skipped too (`unchanged_files`), and
    one that shares keys with a file loaded earlier in this load is left for the next load
    (`deferred_files`), so that the later file's rows win. `start_date` and `end_date` are Paris
    days. A month answered with a header only is not landed (the next run asks again); inside
    the period already loaded it is a warning (`warnings`).
    """
    report = Report(
        [] if bad_files is None else bad_files,
        unchanged_files,
        deferred_files,
        [] if warnings is None else warnings,
    )
    if local_path:
        files = local_files(Path(local_path).expanduser())
        return [local_resource(files, table, key, report) for table, key in TABLES]
    today = dt.date.today()
    start = dt.date.fromisoformat(start_date)
    end = dt.date.fromisoformat(end_date) if end_date else today + dt.timedelta(days=1)
    unknown = sorted(set(datasets) - set(DATASETS))
    if unknown:
        raise SourceError(
            f"Unknown éCO2mix dataset(s) {', '.join(unknown)} in [sources.eco2mix] datasets: "
            f"use {', '.join(DATASETS)}."
        )
    client = http.Client(retries=http_retries, backoff_s=http_backoff_s, timeout_s=timeout_seconds)
    resources = []
    for dataset in datasets:
        first = clip_start("eco2mix", start, dataset, FIRST_DAYS[dataset])
        if dataset.endswith("-tr"):
            first = max(first, today - dt.timedelta(days=real_time_days))
        window = (first, end, today, refresh_days)
        resources.append(dataset_resource(client, base_url.rstrip("/"), dataset, window, report))
    return resources


def local_files(path: Path) -> list[Path]:
    """The CSV files a user points at: one file, or every `*.csv` in a folder (sorted)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
        if files:
            return files
        raise SourceError(f"{path} holds no .csv file: point local_path at the downloaded CSV.")
    raise SourceError(
        f"{path} does not exist: fix [sources.eco2mix] local_path "
        f"(SOURCES__ECO2MIX__LOCAL_PATH), or leave it empty to fetch from ODRÉ."
    )


def local_landing_path(path: Path) -> Path:
    return LANDING_DIR / "csv" / "eco2mix" / LOCAL_FOLDER / path.name


def land_local(path: Path) -> Path:
    """Copy a hand-downloaded file, unchanged, into the landing zone (atomically)."""
    target = local_landing_path(path)
    write_atomically(target, path)
    return target


def import_dir() -> Path:
    """Where load-ready files are written: beside dlt's packages, so the import is a hard link."""
    folder = Path(dlt.current.pipeline().working_dir) / "eco2mix_imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def current_load_id() -> str:
    """The id dlt gives this load, written into every row (`_dlt_load_id`)."""
    return dlt.current.load_package_state()["load_id"]


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

    def write_disposition(self, load: LoadFile) -> str:
        overlaps = any(
            low <= load.last_key and load.first_key <= high for low, high in self.ranges.values()
        )
        self.merging = self.merging or overlaps or load.duplicate_keys > 0
        return "merge" if self.merging else "append"

    def record(self, source_file: str, digest: str, load: LoadFile) -> None:
        if load.rows:
            low, high = self.ranges.get(source_file, (load.first_key, load.last_key))
            self.ranges[source_file] = [min(low, load.first_key), max(high, load.last_key)]
        self.loaded[source_file] = digest


def load_landed(
    path: Path,
    key: tuple[str, str],
    writes: TableWrites,
    report: Report,
    digest: str = "",
) -> Iterator[object]:
    """Yield a landed file to dlt as a load-ready CSV, unless this exact content is loaded.

    A file that cannot be read adds its reason to `report.bad_files` and yields nothing; its
    hash is not recorded, so the next run tries it again.
    """
    source_file = relative(path)
    digest = digest or file_sha256(path)
    if writes.loaded.get(source_file) == digest:
        report.unchanged(source_file)
        return
    stem = import_dir() / uuid.uuid4().hex
    try:
        load = write_load_file(path, stem, current_load_id(), key)
        if not writes.claim(load) and report.deferred_files is not None:
            report.deferred_files.append(source_file)
            return
        if load.duplicate_keys:
            report.warnings.append(
                f"{source_file} repeats the key ({', '.join(key)}) of an earlier line on "
                f"{load.duplicate_keys:,} line(s): of each key, the last line of the file is kept"
            )
        if load.rows:
            disposition = writes.write_disposition(load)
            hints = dlt.mark.make_hints(
                columns=hint_columns(hint_schema(load.names, key), disposition),
                write_disposition=disposition,
            )
            for part, rows in load.parts:
                yield dlt.mark.with_file_import(str(part), "csv", rows, hints=hints)
    except SourceError as error:
        report.bad_files.append(str(error))
        return
    finally:
        for part in stem.parent.glob(f"{stem.name}.*.csv"):
            part.unlink()  # dlt hard-linked (or copied) it into its package
    writes.record(source_file, digest, load)


def hint_columns(schema: pa.Schema, disposition: str) -> list[dict[str, object]]:
    """dlt's column hints; a merge keeps, of a key repeated in one load, its last line."""
    columns: list[dict[str, object]] = []
    for arrow_field in schema:
        column: dict[str, object] = {
            "name": arrow_field.name,
            "data_type": "bigint" if pa.types.is_integer(arrow_field.type) else "text",
            "nullable": arrow_field.nullable,
        }
        if arrow_field.name == "_source_row":
            column["dedup_sort"] = "desc" if disposition == "merge" else None
        columns.append(column)
    return columns


def dataset_resource(
    client: http.Client,
    base_url: str,
    dataset: str,
    window: tuple[dt.date, dt.date, dt.date, int],
    report: Report,
):
    table_name, key = DATASETS[dataset]
    start, end, today, refresh_days = window

    @dlt.resource(
        name=dataset.replace("-", "_"),
        table_name=table_name,
        primary_key=key,
        write_disposition="merge",
    )
    def chunks() -> Iterator[object]:
        writes = TableWrites(table_name)
        url = base_url + EXPORT_PATH.format(dataset=dataset)
        empty: list[tuple[dt.date, dt.date, str]] = []
        for chunk_start, chunk_end in month_chunks(start, end):
            path = landing_path(dataset, chunk_start)
            if not (
                path.exists()
                and is_settled(chunk_end, today, refresh_days)
                and not header_only(path)
            ):
                params = export_params(chunk_start, chunk_end)
                origin = requests.Request("GET", url, params=params).prepare().url or url
                described = f"éCO2mix {dataset} {chunk_start:%Y-%m} ({origin})"
                window = (
                    paris_midnight(chunk_start).isoformat(),
                    paris_midnight(chunk_end).isoformat(),
                )
                try:
                    download(
                        client,
                        url,
                        params,
                        path,
                        lambda body, o=described, w=window: validate_csv(body, o, w),
                    )
                except EmptyAnswer:
                    empty.append(
                        (chunk_start, chunk_end, origin)
                    )  # not landed: asked again next run
            if path.exists():
                yield from load_landed(path, key, writes, report)
        report.warnings.extend(empty_month_warnings(dataset, empty, writes))

    return chunks


def header_only(path: Path) -> bool:
    """A landed export that holds an éCO2mix header and no row: older versions landed such
    answers as settled months, which then stayed empty for good."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        header, row = handle.readline().rstrip("\r\n"), handle.readline()
    if row.strip():
        return False
    try:
        header_check(header, str(path))
    except SourceError:
        return False  # a damaged file: named by the load, not fetched again behind the user's back
    return True


def empty_month_warnings(
    dataset: str, empty: list[tuple[dt.date, dt.date, str]], writes: TableWrites
) -> list[str]:
    """A month that came back with a header only, although the table holds rows before and after
    it, cannot be right: say so (it was not landed, so the next run asks again). Before the
    first row or after the last one it is a month not published (yet): nothing to say."""
    keys = [bound for name, span in writes.ranges.items() if name != "*" for bound in span]
    if not keys:
        return []
    first, last = min(keys), max(keys)
    found = []
    for chunk_start, chunk_end, url in empty:
        lower, upper = (utc_text(paris_midnight(day)) for day in (chunk_start, chunk_end))
        if first < lower and upper <= last:
            found.append(
                f"éCO2mix {dataset} {chunk_start:%Y-%m} came back with a header and no row, "
                f"inside the period already loaded ({first[:10]} → {last[:10]}): not kept, "
                f"the next run asks again ({url})"
            )
    return found


def utc_text(instant: dt.datetime) -> str:
    """An instant as raw spells `date_heure` (UTC, `+00:00`), which sorts as time."""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def local_resource(files: list[Path], table_name: str, key: tuple[str, str], report: Report):
    @dlt.resource(
        name=f"{table_name}_local",
        table_name=table_name,
        primary_key=key,
        write_disposition="merge",
    )
    def hand_downloads() -> Iterator[object]:
        writes = TableWrites(table_name)
        for source in files:
            try:
                header = read_header(source)
                header_check(header, str(source))
                table = table_for(source, column_names(header))
            except UnicodeDecodeError:
                report.bad_files.append(
                    f"{source} is not UTF-8 text: download it again from the portal "
                    f"(CSV, delimiter ';'), then re-run."
                )
                continue
            except SourceError as error:
                report.bad_files.append(str(error))
                continue
            if table != (table_name, key):
                continue
            digest = file_sha256(source)
            landed = local_landing_path(source)
            if writes.loaded.get(relative(landed)) == digest and landed.exists():
                report.unchanged(relative(landed))
                continue
            yield from load_landed(land_local(source), key, writes, report, digest)

    return hand_downloads
