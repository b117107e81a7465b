"""The four éCO2mix datasets: their columns, and their typed rows for any window.

Rows are generated month by month from the simulation; `date_heure` is the true instant (epoch
seconds here, formatted at export), `date`/`heure` are Paris local time and repeat at the autumn
clock change. Nature is 'Données définitives' before 2025-01-01, 'Données consolidées' after,
'Données temps réel' for the real-time (`-tr`) datasets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.standin.generator.clock import (
    HHMM,
    TimeLike,
    day_strings,
    epoch,
    iter_months,
    paris_midnight,
)
from tools.standin.generator.randomness import S_ORDER, hash_bits
from tools.standin.generator.regions import (
    BATTERY_START,
    HAS_NUCLEAR,
    N_REGIONS,
    OFFSHORE_START,
    REGION_CODES,
    REGIONS,
    region_index,
)
from tools.standin.generator.simulation import Simulation, simulate

DEFINITIVE_UNTIL = "2025-01-01"
NATURE_DEFINITIVE = "Données définitives"
NATURE_CONSOLIDATED = "Données consolidées"
NATURE_REAL_TIME = "Données temps réel"

Columns = tuple[tuple[str, str], ...]  # (technical name, label), in file order

_TIMES: Columns = (
    ("nature", "Nature"),
    ("date", "Date"),
    ("heure", "Heure"),
    ("date_heure", "Date - Heure"),
)
_SECTORS: Columns = (
    ("nucleaire", "Nucléaire (MW)"),
    ("eolien", "Eolien (MW)"),
    ("solaire", "Solaire (MW)"),
    ("hydraulique", "Hydraulique (MW)"),
    ("pompage", "Pompage (MW)"),
    ("bioenergies", "Bioénergies (MW)"),
    ("ech_physiques", "Ech. physiques (MW)"),
)
_RATED = (
    ("thermique", "Thermique"),
    ("nucleaire", "Nucléaire"),
    ("eolien", "Eolien"),
    ("solaire", "Solaire"),
    ("hydraulique", "Hydraulique"),
    ("bioenergies", "Bioénergies"),
)
REGIONAL_COLUMNS: Columns = (
    ("code_insee_region", "Code INSEE région"),
    ("libelle_region", "Région"),
    *_TIMES,
    ("consommation", "Consommation (MW)"),
    ("thermique", "Thermique (MW)"),
    *_SECTORS,
    ("stockage_batterie", "Stockage batterie"),
    ("destockage_batterie", "Déstockage batterie"),
    ("eolien_terrestre", "Eolien terrestre"),
    ("eolien_offshore", "Eolien offshore"),
    *(
        (f"{rate.lower()}_{name}", f"{rate} {label} (%)")
        for name, label in _RATED
        for rate in ("TCO", "TCH")
    ),
)
NATIONAL_COLUMNS: Columns = (
    ("perimetre", "Périmètre"),
    *_TIMES,
    ("consommation", "Consommation (MW)"),
    ("prevision_j1", "Prévision J-1 (MW)"),
    ("prevision_j", "Prévision J (MW)"),
    ("fioul", "Fioul (MW)"),
    ("charbon", "Charbon (MW)"),
    ("gaz", "Gaz (MW)"),
    *_SECTORS,
    ("taux_co2", "Taux de CO2 (g/kWh)"),
    ("ech_comm_angleterre", "Ech. comm. Angleterre (MW)"),
    ("ech_comm_espagne", "Ech. comm. Espagne (MW)"),
    ("ech_comm_italie", "Ech. comm. Italie (MW)"),
    ("ech_comm_suisse", "Ech. comm. Suisse (MW)"),
    ("ech_comm_allemagne_belgique", "Ech. comm. Allemagne-Belgique (MW)"),
    ("fioul_tac", "Fioul - TAC (MW)"),
    ("fioul_cogen", "Fioul - Cogénération (MW)"),
    ("fioul_autres", "Fioul - Autres (MW)"),
    ("gaz_tac", "Gaz - TAC (MW)"),
    ("gaz_cogen", "Gaz - Cogénération (MW)"),
    ("gaz_ccg", "Gaz - CCG (MW)"),
    ("gaz_autres", "Gaz - Autres (MW)"),
    ("hydraulique_fil_eau_eclusee", "Hydraulique - Fil de l'eau + éclusée (MW)"),
    ("hydraulique_lacs", "Hydraulique - Lacs (MW)"),
    ("hydraulique_step_turbinage", "Hydraulique - STEP turbinage (MW)"),
    ("bioenergies_dechets", "Bioénergies - Déchets (MW)"),
    ("bioenergies_biomasse", "Bioénergies - Biomasse (MW)"),
    ("bioenergies_biogaz", "Bioénergies - Biogaz (MW)"),
    ("stockage_batterie", "Stockage batterie (MW)"),
    ("destockage_batterie", "Déstockage batterie (MW)"),
    ("eolien_terrestre", "Eolien terrestre (MW)"),
    ("eolien_offshore", "Eolien offshore (MW)"),
)


@dataclass(frozen=True)
class DatasetSpec:
    """What distinguishes the four éCO2mix datasets the stand-in serves."""

    name: str
    scope: str  # "regional" | "national"
    real_time: bool
    step_minutes: int
    first_day: str  # first Paris-local day with data
    columns: Columns
    timestamp_label: str


# name: (scope, real time, step in minutes, first Paris day, label of `date_heure`)
_SPECS = {
    "eco2mix-regional-cons-def": ("regional", False, 30, "2013-01-01", "Date - Heure"),
    "eco2mix-national-cons-def": ("national", False, 15, "2012-01-01", "Date et Heure"),
    "eco2mix-regional-tr": ("regional", True, 15, "2013-01-01", "Date - Heure"),
    "eco2mix-national-tr": ("national", True, 15, "2012-01-01", "Date - Heure"),
}
DATASETS: dict[str, DatasetSpec] = {
    name: DatasetSpec(
        name,
        scope,
        real_time,
        step,
        first_day,
        REGIONAL_COLUMNS if scope == "regional" else NATIONAL_COLUMNS,
        label,
    )
    for name, (scope, real_time, step, first_day, label) in _SPECS.items()
}


def export_columns(dataset: str, use_labels: bool = False) -> list[str]:
    """Header names of an export, technical (`use_labels=false`) or the portal's labels."""
    spec = DATASETS[dataset]
    if not use_labels:
        return [name for name, _ in spec.columns]
    return [spec.timestamp_label if name == "date_heure" else label for name, label in spec.columns]


def _grid(start: TimeLike, end: TimeLike, step_minutes: int) -> np.ndarray:
    step = step_minutes * 60
    lo, hi = epoch(start), epoch(end)
    first = -(-lo // step) * step
    return np.arange(first, max(first, hi), step, dtype=np.int64)


def _nature(epoch_s: np.ndarray, real_time: bool) -> np.ndarray:
    if real_time:
        return np.full(len(epoch_s), NATURE_REAL_TIME, dtype=object)
    definitive = epoch_s < int(paris_midnight(DEFINITIVE_UNTIL).timestamp())
    return np.where(definitive, NATURE_DEFINITIVE, NATURE_CONSOLIDATED).astype(object)


def _int_column(values: np.ndarray, null: np.ndarray | bool = False) -> pd.arrays.IntegerArray:
    values = np.asarray(values, dtype=np.int64).ravel()
    mask = np.broadcast_to(np.asarray(null, dtype=bool), values.shape).ravel().copy()
    return pd.arrays.IntegerArray(values, mask)


def _time_columns(sim: Simulation, real_time: bool) -> dict[str, np.ndarray]:
    return {
        "nature": _nature(sim.epoch_s, real_time),
        "date": day_strings(sim.local_day),
        "heure": HHMM[sim.local_minute],
        "date_heure": sim.epoch_s,
    }


def _flat(values: np.ndarray) -> np.ndarray:
    """(12, T) to rows: time-major, regions in seed order."""
    return np.asarray(values).T.ravel()


def _regional_nulls(epoch_s: np.ndarray) -> dict[str, np.ndarray]:
    """(12, T) masks of the values a region did not have: no plant, no battery, no farm yet."""
    n = len(epoch_s)
    no_nuclear = ~np.array([HAS_NUCLEAR[code] for code in REGION_CODES])[:, None]
    no_battery = np.broadcast_to(epoch_s < epoch(BATTERY_START), (N_REGIONS, n))
    no_offshore = np.ones((N_REGIONS, n), dtype=bool)
    for code, start_day in OFFSHORE_START.items():
        no_offshore[region_index(code)] = epoch_s < epoch(start_day)
    return {
        "nucleaire": np.broadcast_to(no_nuclear, (N_REGIONS, n)),
        "stockage_batterie": no_battery,
        "destockage_batterie": no_battery,
        "eolien_offshore": no_offshore,
    }


def _regional_rows(sim: Simulation, real_time: bool) -> dict[str, object]:
    """Columns of the rows, time-major with the regions in seed order."""
    epoch_s, n = sim.epoch_s, len(sim.epoch_s)
    data: dict[str, object] = {
        "epoch": np.repeat(epoch_s, N_REGIONS),
        "code_insee_region": np.tile(np.array(REGION_CODES, dtype=object), n),
        "libelle_region": np.tile(np.array([r.name for r in REGIONS], dtype=object), n),
    }
    for name, values in _time_columns(sim, real_time).items():
        data[name] = np.repeat(values, N_REGIONS)
    nulls = _regional_nulls(epoch_s)
    for name, _ in REGIONAL_COLUMNS[6:]:
        if name.startswith(("tco_", "tch_")):
            rates = _flat(sim.regional[name]).astype(float)
            if name.endswith("nucleaire"):
                rates[_flat(nulls["nucleaire"])] = np.nan
            data[name] = rates
        else:
            null = _flat(nulls.get(name, np.zeros((1, 1), bool)))
            data[name] = _int_column(_flat(sim.regional[name]), null)
    return data


def _national_null(
    name: str, epoch_s: np.ndarray, real_time: bool, quarter: np.ndarray
) -> np.ndarray | bool:
    """Which rows of a national column are empty (`quarter`: the :15 and :45 rows)."""
    null: np.ndarray | bool
    if name in ("prevision_j1", "prevision_j"):
        null = False
    elif name.startswith("ech_comm_"):
        null = quarter
    elif real_time:
        null = False
    else:
        null = quarter  # cons-def: :15/:45 rows carry forecasts only
    if name in ("stockage_batterie", "destockage_batterie"):
        null = null | (epoch_s < epoch(BATTERY_START))
    if name == "eolien_offshore":
        null = null | (epoch_s < min(epoch(day) for day in OFFSHORE_START.values()))
    return null


def _national_rows(sim: Simulation, real_time: bool) -> dict[str, object]:
    epoch_s = sim.epoch_s
    quarter = (sim.local_minute % 30) != 0
    data: dict[str, object] = {
        "epoch": epoch_s,
        "perimetre": np.full(len(epoch_s), "France", dtype=object),
        **_time_columns(sim, real_time),
    }
    for name, _ in NATIONAL_COLUMNS[5:]:
        null = _national_null(name, epoch_s, real_time, quarter)
        data[name] = _int_column(sim.national[name], null)
    return data


def _chunk(spec: DatasetSpec, start: TimeLike, end: TimeLike) -> pd.DataFrame:
    """The rows of [start, end), within one month."""
    epoch_s = _grid(start, end, spec.step_minutes)
    if len(epoch_s) == 0:
        return pd.DataFrame({name: [] for name in ["epoch", *(name for name, _ in spec.columns)]})
    rows = _regional_rows if spec.scope == "regional" else _national_rows
    return pd.DataFrame(rows(simulate(epoch_s), spec.real_time))


def eco2mix_frame(dataset: str, start: TimeLike, end: TimeLike) -> pd.DataFrame:
    """Typed rows of an éCO2mix dataset for instants in [start, end), generated month by month.

    `date_heure` holds epoch seconds (formatting to a time zone happens at export); the extra
    `epoch` column is the same instant, kept for filtering. Availability windows (dataset start,
    publication lag) are the server's business, not the generator's.
    """
    spec = DATASETS[dataset]
    parts = [_chunk(spec, lo, hi) for lo, hi in iter_months(start, end)]
    if not parts:
        return _chunk(spec, start, start)
    return pd.concat(parts, ignore_index=True)


def eco2mix_regional(start: TimeLike, end: TimeLike, *, real_time: bool = False) -> pd.DataFrame:
    """`eco2mix-regional-cons-def` (or `-tr`) rows for [start, end)."""
    dataset = "eco2mix-regional-tr" if real_time else "eco2mix-regional-cons-def"
    return eco2mix_frame(dataset, start, end)


def eco2mix_national(start: TimeLike, end: TimeLike, *, real_time: bool = False) -> pd.DataFrame:
    """`eco2mix-national-cons-def` (or `-tr`) rows for [start, end)."""
    dataset = "eco2mix-national-tr" if real_time else "eco2mix-national-cons-def"
    return eco2mix_frame(dataset, start, end)


def shuffled_order(frame: pd.DataFrame) -> np.ndarray:
    """A deterministic 'unsorted' row order, like the real service without order_by."""
    keys = frame["epoch"].to_numpy(dtype=np.int64)
    if "code_insee_region" in frame:
        keys = keys * 100 + frame["code_insee_region"].astype(int).to_numpy()
    return np.argsort(hash_bits(S_ORDER, keys), kind="stable")
