"""RTE éCO2mix consumption and production, from ODRÉ's CSV exports (Opendatasoft Explore v2.1).

Each dataset is fetched in month chunks (a `where` filter on `date_heure`), each chunk is kept in
the landing zone as `data/raw/csv/eco2mix/<dataset>/<YYYY-MM>.csv`, then loaded as-is (every
value as text, null markers included) into `raw.eco2mix_regional` or `raw.eco2mix_national`,
merged on (region or perimeter, `date_heure`).

Incremental: a month whose file is already landed is not fetched again once it is older than
`refresh_days` (recent months are still being revised by RTE), and a landed file is loaded only
when its content changed since the last successful load (its hash is kept in dlt's state, which
is committed together with the data).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.csv as pacsv

from extract.landing import (
    LANDING_DIR,
    SourceError,
    download,
    file_sha256,
    is_settled,
    month_chunks,
    relative,
    session,
    with_required,
)

# dataset -> (table in raw, merge key)
DATASETS: dict[str, tuple[str, tuple[str, str]]] = {
    "eco2mix-regional-cons-def": ("eco2mix_regional", ("code_insee_region", "date_heure")),
    "eco2mix-national-cons-def": ("eco2mix_national", ("perimetre", "date_heure")),
    "eco2mix-regional-tr": ("eco2mix_regional", ("code_insee_region", "date_heure")),
    "eco2mix-national-tr": ("eco2mix_national", ("perimetre", "date_heure")),
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


def validate_csv(body: bytes) -> None:
    """Reject what is not an éCO2mix export before it reaches the landing zone."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    if head[:1] in (b"<", b"{", b"["):
        raise SourceError("The éCO2mix export answered HTML or JSON instead of CSV.")
    first_line = head.split(b"\n", 1)[0]
    if b"date_heure" not in first_line.lower() and b"date" not in first_line.lower():
        raise SourceError("The éCO2mix export has no date column in its header.")
    if DELIMITER.encode() not in first_line:
        raise SourceError(f"The éCO2mix export is not delimited by {DELIMITER!r}.")


def technical_name(header: str) -> str:
    """`Prévision J-1 (MW)` -> `prevision_j1`; technical names map to themselves."""
    ascii_only = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    without_unit = re.sub(r"\([^)]*\)", "", ascii_only)
    slug = re.sub(r"[^0-9a-z]+", "_", without_unit.lower()).strip("_")
    return LABEL_OVERRIDES.get(slug, slug)


def read_export(path: Path) -> pa.Table:
    """Parse a landed export with every column as text, exactly as published."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle, delimiter=DELIMITER), [])
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=DELIMITER),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise SourceError(
            f"{path} is not a valid éCO2mix CSV ({str(error).splitlines()[0]}): "
            f"delete it and re-run to fetch it again."
        ) from None
    table = table.rename_columns([technical_name(name) for name in table.column_names])
    return table.append_column("_source_file", pa.array([relative(path)] * table.num_rows))


@dlt.source(name="eco2mix")
def eco2mix_source(
    base_url: str = dlt.config.value,
    start_date: str = dlt.config.value,
    end_date: str = "",
    datasets: list[str] = dlt.config.value,
    refresh_days: int = 45,
) -> list:
    """One resource per dataset; `end_date` empty means up to today (exclusive bound)."""
    today = dt.date.today()
    start = dt.date.fromisoformat(start_date)
    end = dt.date.fromisoformat(end_date) if end_date else today + dt.timedelta(days=1)
    unknown = sorted(set(datasets) - set(DATASETS))
    if unknown:
        raise SourceError(
            f"Unknown éCO2mix dataset(s) {', '.join(unknown)} in [sources.eco2mix] datasets: "
            f"use {', '.join(DATASETS)}."
        )
    http = session()
    return [
        dataset_resource(http, base_url.rstrip("/"), dataset, start, end, today, refresh_days)
        for dataset in datasets
    ]


def dataset_resource(http, base_url, dataset, start, end, today, refresh_days):
    table_name, key = DATASETS[dataset]

    @dlt.resource(
        name=dataset.replace("-", "_"),
        table_name=table_name,
        primary_key=key,
        write_disposition="merge",
    )
    def chunks() -> Iterator[pa.Table]:
        loaded: dict[str, str] = dlt.current.resource_state().setdefault("loaded_files", {})
        url = base_url + EXPORT_PATH.format(dataset=dataset)
        for chunk_start, chunk_end in month_chunks(start, end):
            path = landing_path(dataset, chunk_start)
            if not (path.exists() and is_settled(chunk_end, today, refresh_days)):
                download(http, url, export_params(chunk_start, chunk_end), path, validate_csv)
            digest = file_sha256(path)
            if loaded.get(relative(path)) == digest:
                continue
            table = read_export(path)
            if table.num_rows:
                yield with_required(table, key)
            loaded[relative(path)] = digest

    return chunks
