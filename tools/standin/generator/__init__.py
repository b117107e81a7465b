"""Deterministic synthetic data shaped like RTE éCO2mix and Open-Meteo, made by code.

The pipeline, the warehouse and the dashboard must be testable without internet, and the
analysis must have a known answer (the planted thermosensitivity). Every number is a pure
function of (instant, place), so any window, month or re-run agrees to the last digit. The model
is described in docs/standin.md; this module gathers the names the rest of the project uses.
"""

from tools.standin.generator.clock import (
    PARIS,
    TimeLike,
    iso_instants,
    iter_months,
    paris_midnight,
    to_utc,
    utc_offsets,
)
from tools.standin.generator.csv_export import format_export_header, format_export_rows
from tools.standin.generator.datasets import (
    DATASETS,
    DEFINITIVE_UNTIL,
    NATIONAL_COLUMNS,
    NATURE_CONSOLIDATED,
    NATURE_DEFINITIVE,
    NATURE_REAL_TIME,
    REGIONAL_COLUMNS,
    DatasetSpec,
    eco2mix_frame,
    eco2mix_national,
    eco2mix_regional,
    export_columns,
    shuffled_order,
)
from tools.standin.generator.files import write_dataset
from tools.standin.generator.open_meteo import WIND_SPEED_UNITS, open_meteo_document
from tools.standin.generator.regional_weather import daily_temperature
from tools.standin.generator.regions import (
    BATTERY_START,
    HAS_NUCLEAR,
    NATIONAL_SLOPE_MW_PER_C,
    PLANTED_SLOPE_MW_PER_C,
    POPULATION_SHARE,
    REGION_CODES,
    REGIONS,
    WEATHER_POINTS,
    Region,
    WeatherPoint,
    planted_slope_mw_per_c,
)
from tools.standin.generator.weather import (
    OPEN_METEO_UNITS,
    WEATHER_VARIABLES,
    GridWeather,
    snap_to_grid,
    weather,
)

__all__ = [
    "BATTERY_START",
    "DATASETS",
    "DEFINITIVE_UNTIL",
    "HAS_NUCLEAR",
    "NATIONAL_COLUMNS",
    "NATIONAL_SLOPE_MW_PER_C",
    "NATURE_CONSOLIDATED",
    "NATURE_DEFINITIVE",
    "NATURE_REAL_TIME",
    "OPEN_METEO_UNITS",
    "PARIS",
    "PLANTED_SLOPE_MW_PER_C",
    "POPULATION_SHARE",
    "REGIONAL_COLUMNS",
    "REGIONS",
    "REGION_CODES",
    "WEATHER_POINTS",
    "WEATHER_VARIABLES",
    "WIND_SPEED_UNITS",
    "DatasetSpec",
    "GridWeather",
    "Region",
    "TimeLike",
    "WeatherPoint",
    "daily_temperature",
    "eco2mix_frame",
    "eco2mix_national",
    "eco2mix_regional",
    "export_columns",
    "format_export_header",
    "format_export_rows",
    "iso_instants",
    "iter_months",
    "open_meteo_document",
    "paris_midnight",
    "planted_slope_mw_per_c",
    "shuffled_order",
    "snap_to_grid",
    "to_utc",
    "utc_offsets",
    "weather",
    "write_dataset",
]
