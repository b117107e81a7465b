"""Production by sector: what the fleet can give at each instant and how it is dispatched.

Wind and solar follow the weather and the installed capacity; nuclear is installed units times a
seasonal availability (2022 corrosion crisis, Fessenheim, Flamanville 3); hydro is run-of-river
plus lakes that follow demand; storage, nuclear load following and the thermal fleet (gas, coal
until its phase-out, oil) then follow the residual demand. National totals are split over the
regions in integer MW that add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.standin.generator import randomness as rnd
from tools.standin.generator.clock import JAN15, YEAR_DAYS, between_dates, bump, epoch, ramp
from tools.standin.generator.clock import season as season_of
from tools.standin.generator.regional_weather import RegionalWeather
from tools.standin.generator.regions import (
    BATTERY_START,
    N_REGIONS,
    NUCLEAR_MW,
    OFFSHORE,
    SOLAR_SHARE,
    WIND_SHARE,
    region_index,
)

WIND_CAPACITY = {"2013-01-01": 8_100, "2016-01-01": 10_300, "2019-01-01": 15_100,
                 "2022-01-01": 18_700, "2024-01-01": 21_900, "2027-01-01": 26_500}  # fmt: skip
SOLAR_CAPACITY = {"2013-01-01": 4_300, "2016-01-01": 6_600, "2019-01-01": 8_900,
                  "2021-01-01": 11_700, "2023-01-01": 16_500, "2025-01-01": 24_000,
                  "2027-01-01": 31_000}  # fmt: skip
BATTERY_CAPACITY = {"2021-01-01": 250, "2024-01-01": 800, "2027-01-01": 2_000}
COAL_CAPACITY = {"2013-01-01": 6_300, "2015-06-01": 3_000, "2018-01-01": 3_000,
                 "2021-06-01": 1_800, "2027-01-01": 1_800}  # fmt: skip
HYDRO_CAPACITY_MW = 25_700.0
THERMAL_CAPACITY = {"2013-01-01": 24_000, "2018-01-01": 18_500, "2027-01-01": 17_500}
BIO_CAPACITY = {"2013-01-01": 1_500, "2020-01-01": 2_100, "2027-01-01": 2_400}


def ints(values: np.ndarray) -> np.ndarray:
    return np.round(values).astype(np.int64)


def allocate(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer national totals (T,) over regions by weights (12, T) so the parts add up."""
    total = np.asarray(total, dtype=np.int64)
    sign = np.where(total < 0, -1, 1)
    magnitude = np.abs(total)
    weights = np.broadcast_to(weights, (weights.shape[0], len(total))).astype(float)
    norm = weights.sum(axis=0)
    share = np.divide(weights, norm, out=np.zeros_like(weights), where=norm > 0)
    raw = magnitude * share
    floor = np.floor(raw).astype(np.int64)
    missing = magnitude - floor.sum(axis=0)
    order = np.argsort(-(raw - floor), axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(weights.shape[0])[:, None], axis=0)
    floor += ranks < missing
    return np.asarray(floor * sign)


@dataclass(frozen=True)
class Renewables:
    """Wind and solar by region (12, T): output in integer MW and installed capacity in MW."""

    onshore: np.ndarray
    offshore: np.ndarray
    solar: np.ndarray
    wind_capacity: np.ndarray  # onshore
    offshore_capacity: np.ndarray
    solar_capacity: np.ndarray


def renewables(epoch_s: np.ndarray, weather: RegionalWeather) -> Renewables:
    wind_capacity = between_dates(epoch_s, WIND_CAPACITY)[None, :] * WIND_SHARE[:, None]
    offshore_capacity = np.zeros((N_REGIONS, len(epoch_s)))
    for code, (start, full, megawatts) in OFFSHORE.items():
        offshore_capacity[region_index(code)] = megawatts * ramp(epoch_s, start, full)
    solar_capacity = between_dates(epoch_s, SOLAR_CAPACITY)[None, :] * SOLAR_SHARE[:, None]
    wind_cf = weather.wind_cf
    return Renewables(
        onshore=ints(wind_capacity * wind_cf),
        offshore=ints(offshore_capacity * np.minimum(1.0, wind_cf * 1.25)),
        solar=ints(solar_capacity * weather.radiation / 1000.0 * 0.78),
        wind_capacity=wind_capacity,
        offshore_capacity=offshore_capacity,
        solar_capacity=solar_capacity,
    )


@dataclass(frozen=True)
class Bioenergies:
    """National bioenergies by type (T,) in integer MW, and the installed capacity."""

    waste: np.ndarray
    biomass: np.ndarray
    biogas: np.ndarray
    capacity: np.ndarray


def bioenergies(epoch_s: np.ndarray, t_days: np.ndarray, winterness: np.ndarray) -> Bioenergies:
    capacity = between_dates(epoch_s, BIO_CAPACITY)
    noise = rnd.value_noise(rnd.S_BIO, 0, t_days, 5.0)
    level = capacity * (0.62 + 0.05 * winterness + 0.02 * noise)
    return Bioenergies(ints(0.30 * level), ints(0.38 * level), ints(0.32 * level), capacity)


@dataclass(frozen=True)
class Nuclear:
    """Installed and available nuclear MW by region (12, T)."""

    capacity: np.ndarray
    available: np.ndarray


def nuclear(epoch_s: np.ndarray, t_days: np.ndarray) -> Nuclear:
    capacity = np.broadcast_to(NUCLEAR_MW[:, None], (N_REGIONS, len(epoch_s))).copy()
    capacity[region_index("44")] -= 1_800 * ramp(epoch_s, "2020-02-22", "2020-06-30")
    capacity[region_index("28")] += 1_650 * ramp(epoch_s, "2024-12-21", "2025-06-30")
    region_keys = np.arange(N_REGIONS, dtype=np.int64)[:, None]
    availability = (
        0.76 + 0.10 * season_of(t_days)
        - 0.22 * bump(epoch_s, "2021-12-01", "2022-04-01", "2022-12-15", "2023-06-30")
        - 0.07 * bump(epoch_s, "2020-04-01", "2020-05-15", "2020-08-01", "2020-12-01")
        + 0.03 * rnd.value_noise(rnd.S_NUC_NAT, 0, t_days, 10.0)
    )[None, :] + 0.05 * rnd.value_noise(rnd.S_NUC_REG, region_keys, t_days, 7.0)  # fmt: skip
    return Nuclear(capacity, capacity * np.clip(availability, 0.3, 0.98))


@dataclass(frozen=True)
class Hydro:
    """National run-of-river and lake output in MW (T,), before rounding."""

    run_of_river: np.ndarray
    lakes: np.ndarray


def hydro(t_days: np.ndarray, winterness: np.ndarray, consumption_fr: np.ndarray) -> Hydro:
    spring = 0.5 + 0.5 * np.cos(2.0 * np.pi * (t_days - JAN15 - 120.0) / YEAR_DAYS)
    hydrology = 1.0 + 0.15 * rnd.value_noise(rnd.S_HYDRO_YEAR, 0, t_days, 180.0)
    river_noise = rnd.value_noise(rnd.S_RIVER, 0, t_days, 4.0)
    run_of_river = (3_600 + 3_000 * spring + 500 * river_noise) * hydrology
    lakes = np.clip(900 + 0.22 * (consumption_fr - 42_000) + 1_200 * winterness, 300, 9_000)
    return Hydro(run_of_river, lakes * hydrology)


@dataclass(frozen=True)
class Flexible:
    """The means that follow the residual demand (T,), in MW before rounding."""

    step_turbine: np.ndarray
    pumping: np.ndarray  # negative
    battery_in: np.ndarray  # negative
    battery_out: np.ndarray
    modulation: np.ndarray  # nuclear load following
    after: np.ndarray  # residual demand left for the thermal fleet


def flexible(epoch_s: np.ndarray, residual: np.ndarray, nuclear_fr: np.ndarray) -> Flexible:
    step_turbine = np.clip(0.2 * (residual + 2_000), 0.0, 3_500.0)
    battery_capacity = between_dates(epoch_s, BATTERY_CAPACITY) * (epoch_s >= epoch(BATTERY_START))
    modulation = np.clip(0.5 * (-residual - 7_000.0), 0.0, 0.3 * nuclear_fr)
    return Flexible(
        step_turbine=step_turbine,
        pumping=-np.clip(0.3 * (-residual - 8_000), 0.0, 4_500.0),
        battery_in=-battery_capacity * np.clip((-residual - 5_000.0) / 10_000.0, 0.0, 1.0),
        battery_out=battery_capacity * np.clip(residual / 10_000.0, 0.0, 1.0),
        modulation=modulation,
        after=residual - step_turbine + modulation,
    )


def thermal(
    epoch_s: np.ndarray, winterness: np.ndarray, after: np.ndarray
) -> dict[str, np.ndarray]:
    """National thermal output by technology in integer MW, following what is left."""
    coal_capacity = between_dates(epoch_s, COAL_CAPACITY)
    coal_baseload = 0.25 * np.maximum(0.0, coal_capacity - 1_800.0)  # before the phase-out
    coal = np.minimum(coal_baseload + np.maximum(0.35 * (after + 3_000), 0.0), coal_capacity)
    return {
        "fioul_tac": ints(np.clip(0.10 * (after - 9_000), 0.0, 800.0)),
        "fioul_cogen": ints(30 + 15 * winterness),
        "fioul_autres": ints(140 + 20 * winterness),
        "gaz_tac": ints(np.clip(0.25 * (after - 6_000), 0.0, 1_500.0)),
        "gaz_cogen": ints(400 + 2_000 * winterness),
        "gaz_ccg": ints(np.clip(0.40 * (after + 9_000), 300.0, 6_800.0)),
        "gaz_autres": ints(150 + 100 * winterness),
        "charbon": ints(coal),
    }
