"""RTE éCO2mix consumption and production, from ODRÉ's CSV exports (Opendatasoft Explore v2.1).

Remote: each dataset is fetched in month chunks (a `where` filter on `date_heure`), each chunk is
kept in the landing zone as `data/raw/csv/eco2mix/<dataset>/<YYYY-MM>.csv`. Local: files a user
downloaded by hand from the portal (`[sources.eco2mix] local_path`, a file or a folder) are
copied unchanged to `data/raw/csv/eco2mix/local/`. Either way the landed file is then loaded
as-is (every value as text, null markers included) into `raw.eco2mix_regional` or
`raw.eco2mix_national`, merged on (region or perimeter, `date_heure`).

Why the load looks the way it does (fast and lean): a landed file is streamed in Arrow batches
(`pyarrow.csv.open_csv`, bounded memory whatever its size), renamed to the technical field names,
given its lineage columns, and written straight to a load-ready CSV that dlt imports as is
(`dlt.mark.with_file_import`): no Python rows, no dlt normalize pass, PostgreSQL ingests it with
COPY into the staging table, then dlt's merge (delete-insert) replaces rows by key in one
transaction. Within one load a key that appears twice keeps the row that comes last in its file
(`dedup_sort` on `_source_row`); across loads, the later load wins.

Incremental: a month whose file is already landed is not fetched again once it is older than
`refresh_days` (recent months are still being revised by RTE), and a landed file is loaded only
when its content changed since the last successful load (its hash is kept in dlt's state, which
is committed together with the data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import requests

from extract.landing import (
    LANDING_DIR,
    SourceError,
    download,
    file_sha256,
    is_settled,
    month_chunks,
    relative,
    session,
)

REGIONAL = ("eco2mix_regional", ("code_insee_region", "date_heure"))
NATIONAL = ("eco2mix_national", ("perimetre", "date_heure"))
# dataset -> (table in raw, merge key)
DATASETS: dict[str, tuple[str, tuple[str, str]]] = {
    "eco2mix-regional-cons-def": REGIONAL,
    "eco2mix-national-cons-def": NATIONAL,
    "eco2mix-regional-tr": REGIONAL,
    "eco2mix-national-tr": NATIONAL,
}
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
BLOCK_SIZE = 8 << 20  # bytes of CSV per Arrow batch: what bounds memory


# --- fetching --------------------------------------------------------------------------------


def export_params(chunk_start: dt.date, chunk_end: dt.date) -> dict[str, str]:
    return {
        "where": f"date_heure >= '{chunk_start}' and date_heure < '{chunk_end}'",
        "order_by": "date_heure",
        "timezone": "UTC",
        "use_labels": "false",
        "delimiter": DELIMITER,
        "with_bom": "false",
    }


def landing_path(dataset: str, chunk_start: dt.date) -> Path:
    return LANDING_DIR / "csv" / "eco2mix" / dataset / f"{chunk_start:%Y-%m}.csv"


def validate_csv(body: bytes, origin: str = "The éCO2mix export") -> None:
    """Reject what is not a complete éCO2mix export before it reaches the landing zone.

    Checks the cheap things first (an HTML/JSON error page, the delimiter, a body cut short),
    then parses the whole body, so a chunk that lands is a chunk that loads.
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
    try:
        for _ in stream_csv(io.BytesIO(body), first_line.decode("utf-8", "replace")):
            pass
    except pa.ArrowInvalid as error:
        raise SourceError(f"{origin} is malformed ({arrow_reason(error)}): re-run.") from None


def header_check(first_line: str, origin: str, fix: str = "") -> None:
    """A header must hold a date-time column and be `;`-delimited; say which delimiter it has."""
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
    """Add the raw lineage columns: which file and line, which load, a unique row id."""
    rows = batch.num_rows
    positions = pa.array(range(first_row, first_row + rows), type=pa.int64())
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    columns["date_heure"] = utc_date_heure(columns["date_heure"])
    columns["_source_file"] = pa.array([source_file] * rows, type=pa.string())
    columns["_source_row"] = positions
    columns["_dlt_load_id"] = pa.array([load_id] * rows, type=pa.string())
    columns["_dlt_id"] = pc.binary_join_element_wise(id_prefix, pc.cast(positions, pa.string()), "")
    return pa.RecordBatch.from_pydict(columns)


def table_for(names: list[str], origin: str) -> tuple[str, tuple[str, str]]:
    """Regional or national, told by the header (hand downloads do not say which dataset)."""
    if "code_insee_region" in names:
        return REGIONAL
    if "perimetre" in names:
        return NATIONAL
    raise SourceError(
        f"{origin} has neither a `Code INSEE région` nor a `Périmètre` column: "
        f"is it an éCO2mix regional or national export?"
    )


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


def write_load_file(path: Path, target: Path, load_id: str) -> tuple[int, list[str]]:
    """Stream a landed export into a load-ready CSV (technical names, lineage, `,`).

    Returns the row count and the technical column names. Raises SourceError naming the file.
    """
    header = read_header(path)
    origin = str(path)
    header_check(header, origin)
    names = column_names(header)
    source_file = relative(path)
    id_prefix = f"{uuid.uuid4().hex[:12]}."
    rows = 0
    try:
        with open(path, "rb") as raw_file, open(target, "wb") as sink:
            for batch in stream_csv(raw_file, header):
                out = with_lineage(batch, source_file, rows + 1, load_id, id_prefix)
                write_csv_batch(out, sink, header=rows == 0)
                rows += batch.num_rows
    except pa.ArrowInvalid as error:
        raise SourceError(
            f"{origin} is not a valid éCO2mix CSV ({arrow_reason(error)}): {refetch_hint(path)}"
        ) from None
    except SourceError as error:
        raise SourceError(f"{origin}: {error}: {refetch_hint(path)}") from None
    return rows, names


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
) -> list:
    """One resource per dataset (remote), or per table for hand-downloaded files (local_path).

    `end_date` empty means up to today (exclusive bound). The real-time `-tr` datasets only
    hold recent weeks, so they are fetched from `real_time_days` ago at most.
    """
    if local_path:
        files = local_files(Path(local_path).expanduser())
        return [local_resource(files, table, key) for table, key in (REGIONAL, NATIONAL)]
    today = dt.date.today()
    start = dt.date.fromisoformat(start_date)
    end = dt.date.fromisoformat(end_date) if end_date else today + dt.timedelta(days=1)
    unknown = sorted(set(datasets) - set(DATASETS))
    if unknown:
        raise SourceError(
            f"Unknown éCO2mix dataset(s) {', '.join(unknown)} in [sources.eco2mix] datasets: "
            f"use {', '.join(DATASETS)}."
        )
    http = session(retries=http_retries, backoff_s=http_backoff_s)
    resources = []
    for dataset in datasets:
        first = start
        if dataset.endswith("-tr"):
            first = max(start, today - dt.timedelta(days=real_time_days))
        resources.append(
            dataset_resource(http, base_url.rstrip("/"), dataset, first, end, today, refresh_days)
        )
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


def land_local(path: Path) -> Path:
    """Copy a hand-downloaded file, unchanged, into the landing zone (atomically)."""
    target = LANDING_DIR / "csv" / "eco2mix" / LOCAL_FOLDER / path.name
    if target.exists() and file_sha256(target) == file_sha256(path):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(path, partial)
    os.replace(partial, target)
    return target


def import_dir() -> Path:
    """Where load-ready files are written: beside dlt's packages, so the import is a hard link."""
    folder = Path(dlt.current.pipeline().working_dir) / "eco2mix_imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def current_load_id() -> str:
    """The id dlt gives this load, written into every row (`_dlt_load_id`)."""
    return dlt.current.load_package_state()["load_id"]


def load_landed(path: Path, key: tuple[str, str], loaded: dict[str, str]) -> Iterator[object]:
    """Yield a landed file to dlt as a load-ready CSV, unless this exact content is loaded."""
    digest = file_sha256(path)
    if loaded.get(relative(path)) == digest:
        return
    target = import_dir() / f"{uuid.uuid4().hex}.csv"
    try:
        rows, names = write_load_file(path, target, current_load_id())
        if rows:
            hints = dlt.mark.make_hints(
                columns=hint_columns(hint_schema(names, key)),
            )
            yield dlt.mark.with_file_import(str(target), "csv", rows, hints=hints)
    finally:
        target.unlink(missing_ok=True)  # dlt hard-linked (or copied) it into its package
    loaded[relative(path)] = digest


def hint_columns(schema: pa.Schema) -> list[dict[str, object]]:
    columns: list[dict[str, object]] = []
    for field in schema:
        column: dict[str, object] = {
            "name": field.name,
            "data_type": "bigint" if pa.types.is_integer(field.type) else "text",
            "nullable": field.nullable,
        }
        if field.name == "_source_row":
            column["dedup_sort"] = "desc"
        columns.append(column)
    return columns


def dataset_resource(http, base_url, dataset, start, end, today, refresh_days):
    table_name, key = DATASETS[dataset]

    @dlt.resource(
        name=dataset.replace("-", "_"),
        table_name=table_name,
        primary_key=key,
        write_disposition="merge",
    )
    def chunks() -> Iterator[object]:
        loaded: dict[str, str] = dlt.current.resource_state().setdefault("loaded_files", {})
        url = base_url + EXPORT_PATH.format(dataset=dataset)
        for chunk_start, chunk_end in month_chunks(start, end):
            path = landing_path(dataset, chunk_start)
            if not (path.exists() and is_settled(chunk_end, today, refresh_days)):
                params = export_params(chunk_start, chunk_end)
                origin = requests.Request("GET", url, params=params).prepare().url or url
                download(http, url, params, path, lambda body, o=origin: validate_csv(body, o))
            yield from load_landed(path, key, loaded)

    return chunks


def local_resource(files: list[Path], table_name: str, key: tuple[str, str]):
    @dlt.resource(
        name=f"{table_name}_local",
        table_name=table_name,
        primary_key=key,
        write_disposition="merge",
    )
    def hand_downloads() -> Iterator[object]:
        loaded: dict[str, str] = dlt.current.resource_state().setdefault("loaded_files", {})
        for source in files:
            names = column_names(read_header(source))
            header_check(read_header(source), str(source))
            if table_for(names, str(source)) != (table_name, key):
                continue
            yield from load_landed(land_local(source), key, loaded)

    return hand_downloads
