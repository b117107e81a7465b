"""The twelve regions: who lives there, what they produce with, and the planted relation.

Regions and weather points come from the dbt seeds (one source of truth, the same the warehouse
loads); the fleet table says what each region has; the planted thermosensitivity is the known
answer the analysis must recover (consumption falls by SLOPE_r MW per °C of Tday below 15 °C).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEEDS_DIR = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    population: int


@dataclass(frozen=True)
class WeatherPoint:
    point_id: str
    region_code: str
    name: str
    latitude: float
    longitude: float
    population_weight: float


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError as error:
        raise RuntimeError(f"{path} is missing; restore it from git.") from error


REGIONS: tuple[Region, ...] = tuple(
    Region(row["region_code"], row["region_name"], int(row["population"]))
    for row in _read_csv(SEEDS_DIR / "regions.csv")
)
WEATHER_POINTS: tuple[WeatherPoint, ...] = tuple(
    WeatherPoint(
        row["point_id"],
        row["region_code"],
        row["point_name"],
        float(row["latitude"]),
        float(row["longitude"]),
        float(row["population_weight"]),
    )
    for row in _read_csv(SEEDS_DIR / "weather_points.csv")
)
REGION_CODES: tuple[str, ...] = tuple(region.code for region in REGIONS)
N_REGIONS = len(REGIONS)
POPULATION = np.array([region.population for region in REGIONS], dtype=float)
POP_SHARE = POPULATION / POPULATION.sum()
POPULATION_SHARE: dict[str, float] = {
    code: float(share) for code, share in zip(REGION_CODES, POP_SHARE, strict=True)
}

# -- the planted relation --------------------------------------------------------------------

HEATING_THRESHOLD_C = 15.0
COOLING_THRESHOLD_C = 22.0
FRANCE_SLOPE_MW_PER_C = 2400.0
FRANCE_COOLING_MW_PER_C = 400.0
BASE_FRANCE_MW = 40_000.0

#: Planted winter thermosensitivity by region code, in MW per °C (consumption falls by this
#: much for each °C of Tday below 15 °C). France's slope is their sum.
PLANTED_SLOPE_MW_PER_C: dict[str, float] = {
    code: FRANCE_SLOPE_MW_PER_C * share for code, share in POPULATION_SHARE.items()
}
NATIONAL_SLOPE_MW_PER_C: float = float(sum(PLANTED_SLOPE_MW_PER_C.values()))


def planted_slope_mw_per_c(scope: str) -> float:
    """Planted slope for a region code, or for France ('FR' / 'France')."""
    if scope in ("FR", "France"):
        return NATIONAL_SLOPE_MW_PER_C
    return PLANTED_SLOPE_MW_PER_C[scope]


SLOPE = np.array([PLANTED_SLOPE_MW_PER_C[code] for code in REGION_CODES], dtype=float)
COOLING = FRANCE_COOLING_MW_PER_C * POPULATION / POPULATION.sum()

# -- what each region has --------------------------------------------------------------------

# region_fleet.csv: each region's industry factor of consumption, installed nuclear MW, and its
# share of the national thermal, hydro, pumping, wind and solar output (normalised below).
_FLEET = {row["region_code"]: row for row in _read_csv(Path(__file__).parent / "region_fleet.csv")}


def _fleet_column(name: str, normalise: bool = False) -> np.ndarray:
    values = np.array([float(_FLEET[code][name]) for code in REGION_CODES], dtype=float)
    return values / values.sum() if normalise else values


INDUSTRY_FACTOR = _fleet_column("industry_factor")
NUCLEAR_MW = _fleet_column("nuclear_mw")
THERMAL_SHARE, HYDRO_SHARE, PUMPING_SHARE, WIND_SHARE, SOLAR_SHARE = (
    _fleet_column(f"{sector}_share", normalise=True)
    for sector in ("thermal", "hydro", "pumping", "wind", "solar")
)
BASE_WEIGHT = POPULATION * INDUSTRY_FACTOR / (POPULATION * INDUSTRY_FACTOR).sum()
HAS_NUCLEAR: dict[str, bool] = {
    code: bool(mw > 0) for code, mw in zip(REGION_CODES, NUCLEAR_MW, strict=True)
}
# Offshore wind farms: region code -> (commissioning start, full power date, MW).
OFFSHORE = {
    "52": ("2022-09-01", "2022-11-30", 480.0),
    "53": ("2023-09-01", "2024-05-31", 496.0),
    "28": ("2024-03-01", "2024-06-30", 497.0),
}
OFFSHORE_START = {code: spec[0] for code, spec in OFFSHORE.items()}
BATTERY_START = "2021-01-01"


def region_index(code: str) -> int:
    return REGION_CODES.index(code)
