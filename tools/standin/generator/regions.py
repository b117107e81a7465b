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


def _read_seed(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError as error:
        raise RuntimeError(f"Seed file {path} is missing; restore it from git.") from error


REGIONS: tuple[Region, ...] = tuple(
    Region(row["region_code"], row["region_name"], int(row["population"]))
    for row in _read_seed("regions.csv")
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
    for row in _read_seed("weather_points.csv")
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

# code: (industry factor of consumption, installed nuclear MW, then the region's share of the
# national thermal, hydro, pumping, wind and solar output, normalised below)
_FLEET: dict[str, tuple[float, ...]] = {
    "11": (0.85,      0, 0.08, 0.001, 0.0,  0.004, 0.01),
    "24": (1.0,  11_600, 0.02, 0.004, 0.0,  0.07,  0.04),
    "27": (1.05,      0, 0.02, 0.02,  0.05, 0.05,  0.04),
    "28": (1.1,  10_600, 0.10, 0.003, 0.0,  0.05,  0.02),
    "32": (1.15,  5_460, 0.16, 0.001, 0.0,  0.25,  0.02),
    "44": (1.2,  10_000, 0.14, 0.08,  0.2,  0.19,  0.06),
    "52": (0.95,      0, 0.13, 0.001, 0.0,  0.06,  0.05),
    "53": (0.95,      0, 0.05, 0.01,  0.0,  0.06,  0.02),
    "75": (0.95,  6_640, 0.04, 0.06,  0.0,  0.08,  0.25),
    "76": (0.9,   2_620, 0.03, 0.17,  0.1,  0.10,  0.21),
    "84": (1.15, 13_500, 0.08, 0.48,  0.55, 0.03,  0.12),
    "93": (1.0,       0, 0.15, 0.17,  0.1,  0.006, 0.16),
}  # fmt: skip


def _fleet_column(index: int, normalise: bool = False) -> np.ndarray:
    values = np.array([_FLEET[code][index] for code in REGION_CODES], dtype=float)
    return values / values.sum() if normalise else values


INDUSTRY_FACTOR = _fleet_column(0)
NUCLEAR_MW = _fleet_column(1)
THERMAL_SHARE, HYDRO_SHARE, PUMPING_SHARE, WIND_SHARE, SOLAR_SHARE = (
    _fleet_column(index, normalise=True) for index in range(2, 7)
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
