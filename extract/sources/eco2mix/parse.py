"""Reading an éCO2mix export: its header, its Arrow batches, and whether it can be right.

An export is CSV delimited by `;`, with technical field names (the API) or the portal's French
labels (a hand download); every value is kept as text, exactly as published. `validate_csv`
refuses a bad answer before it reaches the landing zone, so a chunk that lands is one that
loads; `header_check` and `table_for` tell what a landed or hand-downloaded file is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from extract.landing import SourceError

Table = tuple[str, tuple[str, str]]  # (table in raw, merge key)
REGIONAL: Table = ("eco2mix_regional", ("code_insee_region", "date_heure"))
NATIONAL: Table = ("eco2mix_national", ("perimetre", "date_heure"))
# Real-time rows get tables of their own, so they can never replace a consolidated or
# definitive row in raw (staging decides which one wins).
REGIONAL_TR: Table = ("eco2mix_regional_tr", REGIONAL[1])
NATIONAL_TR: Table = ("eco2mix_national_tr", NATIONAL[1])
TABLES = (REGIONAL, NATIONAL, REGIONAL_TR, NATIONAL_TR)
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
DELIMITER = ";"
BLOCK_SIZE = 2 << 20  # bytes of CSV per Arrow batch: bounds memory
# Columns of text; every other column of an export holds numbers, empty, `-` or `ND` (both
# markers mean "no value": staging reads them as null).
TEXT_FIELDS = frozenset(
    ("perimetre", "nature", "date", "heure", "date_heure", "libelle_region", "code_insee_region")
)
UNNAMED = re.compile(r"column_\d+")  # the portal's name for an unlabelled trailing column
NUMBER_OR_NULL = r"^(-?[0-9]+(\.[0-9]+)?|-|ND)?$"
PORTAL_FIX = "download it again from the portal (CSV, delimiter ;)"


class EmptyAnswer(SourceError):
    """A complete export with no row: a month not published (yet), or a glitch of the service."""


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
        raise SourceError(f"{origin} is empty: {fix or PORTAL_FIX}.")
    start = first_line.lstrip()[:1]
    if start in ("<", "{", "["):
        kind = "an HTML page" if start == "<" else "JSON"
        raise SourceError(f"{origin} holds {kind}, not CSV: {fix or PORTAL_FIX}.")
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


def stream_csv(source: BinaryIO, header_line: str) -> Iterator[pa.RecordBatch]:
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
