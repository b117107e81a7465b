"""The column sets éCO2mix files had era by era, for a stand-in that serves "files of their day".

A dataset exported from ODRÉ today carries today's full field list on every row; a file
downloaded by hand years ago carries the fields of its day, and a warehouse can hold both. With
`StandinServer(eras=True)` an export is written in the layout of its newest row's era: which
columns are written and how a missing value is written change, never the values. The eras, and
which are documented by real captures or inferred, are in docs/standin.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.standin import generator

PARTNERS = (
    "Grand-Est",
    "Auvergne-Rhône-Alpes",
    "Nouvelle-Aquitaine",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Ile-de-France",
    "Occitanie",
    "Hauts-de-France",
    "Normandie",
    "Pays-de-la-Loire",
    "PACA",
    "Espagne",
    "Suisse",
    "Royaume-Uni",
    "Italie",
    "Allemagne",
    "Belgique",
    "Luxembourg",
)  # fmt: skip  (order of the 2020 capture)
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "11": ("Centre-Val de Loire", "Bourgogne-Franche-Comté", "Normandie", "Hauts-de-France",
           "Grand-Est"),
    "24": ("Ile-de-France", "Bourgogne-Franche-Comté", "Normandie", "Pays-de-la-Loire",
           "Nouvelle-Aquitaine", "Auvergne-Rhône-Alpes"),
    "27": ("Ile-de-France", "Centre-Val de Loire", "Grand-Est", "Auvergne-Rhône-Alpes", "Suisse"),
    "28": ("Ile-de-France", "Centre-Val de Loire", "Hauts-de-France", "Pays-de-la-Loire",
           "Bretagne"),
    "32": ("Ile-de-France", "Normandie", "Grand-Est", "Belgique", "Royaume-Uni"),
    "44": ("Ile-de-France", "Bourgogne-Franche-Comté", "Hauts-de-France", "Belgique",
           "Luxembourg", "Allemagne", "Suisse"),
    "52": ("Centre-Val de Loire", "Normandie", "Bretagne", "Nouvelle-Aquitaine"),
    "53": ("Normandie", "Pays-de-la-Loire"),
    "75": ("Centre-Val de Loire", "Pays-de-la-Loire", "Occitanie", "Auvergne-Rhône-Alpes",
           "Espagne"),
    "76": ("Nouvelle-Aquitaine", "Auvergne-Rhône-Alpes", "PACA", "Espagne"),
    "84": ("Centre-Val de Loire", "Bourgogne-Franche-Comté", "Nouvelle-Aquitaine", "Occitanie",
           "PACA", "Suisse", "Italie"),
    "93": ("Auvergne-Rhône-Alpes", "Occitanie", "Italie"),
}  # fmt: skip
NOT_AVAILABLE = "ND"
NO_LINE = "-"


def field_name(label: str) -> str:
    """A label as Opendatasoft names its field: ASCII, lower case, `_` between words."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def _flow_columns() -> tuple[tuple[str, str], ...]:
    labels = [f"{way} {partner}" for way in ("Import", "Export") for partner in PARTNERS]
    return tuple((field_name(label), label) for label in labels)


@dataclass(frozen=True)
class Era:
    """One layout of an éCO2mix file, from its first Paris day to the next era's."""

    name: str
    scope: str  # "regional" | "national"
    first_day: str
    columns: tuple[tuple[str, str], ...]  # (technical name, label), in file order
    missing: str = ""  # how the era writes a value that was not measured
    documented_by: str = ""  # the real capture whose header this is, if any


_REGIONAL_BASE = generator.REGIONAL_COLUMNS[:15]
_RATES = generator.REGIONAL_COLUMNS[19:]
ERAS: tuple[Era, ...] = (
    Era("regional 2013-2019", "regional", "2013-01-01",
        (*_REGIONAL_BASE, *_RATES, ("", "")), missing=NOT_AVAILABLE),
    Era("regional 2020", "regional", "2020-01-01",
        (*_REGIONAL_BASE, *_flow_columns(), *_RATES, ("column_64", "Column 64")),
        documented_by="eco2mix-regional-tr_PACA_2020-05.csv"),
    Era("regional today", "regional", "2021-01-01", generator.REGIONAL_COLUMNS),
    Era("national 2012-2021", "national", "2012-01-01", generator.NATIONAL_COLUMNS[:37],
        documented_by="eco2mix-national-tr_2021-12.csv"),
    Era("national today", "national", "2022-01-01", generator.NATIONAL_COLUMNS),
)  # fmt: skip


def era_at(dataset: str, epoch_s: int) -> Era:
    """The era of an instant in a dataset (the first era for instants before it)."""
    scope = generator.DATASETS[dataset].scope
    eras = [era for era in ERAS if era.scope == scope]
    started = [
        era for era in eras if generator.paris_midnight(era.first_day).timestamp() <= epoch_s
    ]
    return started[-1] if started else eras[0]


def latest(dataset: str) -> Era:
    """Today's layout: what the real API serves for every period."""
    return [era for era in ERAS if era.scope == generator.DATASETS[dataset].scope][-1]


def is_today(dataset: str, era: Era) -> bool:
    return era.columns == generator.DATASETS[dataset].columns and not era.missing


def header(dataset: str, era: Era, *, use_labels: bool, delimiter: str) -> str:
    """The header line of an export in this era's layout."""
    if not use_labels:
        return delimiter.join(name for name, _ in era.columns) + "\r\n"
    timestamp = generator.DATASETS[dataset].timestamp_label
    labels = [timestamp if name == "date_heure" else label for name, label in era.columns]
    return delimiter.join(labels) + "\r\n"


def _flow(rows: pd.DataFrame, name: str) -> np.ndarray:
    partner = next(p for p in PARTNERS if name.endswith("_" + field_name(p)))
    linked = [code for code, partners in NEIGHBOURS.items() if partner in partners]
    connected = rows["code_insee_region"].isin(linked).to_numpy()
    return np.where(connected, NOT_AVAILABLE, NO_LINE).astype(object)


def era_rows(rows: pd.DataFrame, dataset: str, era: Era) -> pd.DataFrame:
    """The generator's rows with this era's columns and markers (`date_heure` stays epoch s)."""
    if is_today(dataset, era):
        return rows
    out: dict[str, object] = {}
    for name, _ in era.columns:
        if name in rows and name != "date_heure" and era.missing:
            out[name] = rows[name].astype("string").fillna(era.missing).to_numpy(dtype=object)
        elif name in rows:
            out[name] = rows[name].to_numpy()
        elif name.startswith(("import_", "export_")):
            out[name] = _flow(rows, name)
        else:  # the trailing unnamed column: always empty
            out[name] = np.full(len(rows), "", dtype=object)
    return pd.DataFrame(out, index=rows.index)


def format_rows(
    rows: pd.DataFrame, dataset: str, era: Era, *, timezone: str, delimiter: str
) -> str:
    """CSV body of rows in this era's layout."""
    names = [name for name, _ in era.columns]
    return generator.format_export_rows(
        era_rows(rows, dataset, era), dataset, timezone=timezone, delimiter=delimiter, columns=names
    )
