"""The power system at given instants: consumption, production, exchanges, CO2, rates.

One pass per batch of instants, for all regions, each value a pure function of its instant.
Physical exchanges close the regional balance exactly, in integer MW:
    consommation = Σ production + pompage + stockage_batterie + ech_physiques
and France is the sum of the regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.standin.generator import production
from tools.standin.generator import randomness as rnd
from tools.standin.generator.clock import DAY_S, between_dates, paris_local, season
from tools.standin.generator.consumption import consumption
from tools.standin.generator.production import Bioenergies, Flexible, Nuclear, Renewables, ints
from tools.standin.generator.regional_weather import regional_weather
from tools.standin.generator.regions import HYDRO_SHARE, POP_SHARE, PUMPING_SHARE, THERMAL_SHARE

_SUMMED = (
    "nucleaire", "eolien", "eolien_terrestre", "eolien_offshore", "solaire", "pompage",
    "bioenergies", "stockage_batterie", "destockage_batterie", "ech_physiques",
)  # fmt: skip
_BORDERS = (
    "ech_comm_angleterre", "ech_comm_espagne", "ech_comm_italie", "ech_comm_suisse",
    "ech_comm_allemagne_belgique",
)  # fmt: skip
_BORDER_WEIGHTS = np.array([0.18, 0.17, 0.25, 0.20, 0.20])


@dataclass
class Simulation:
    epoch_s: np.ndarray
    regional: dict[str, np.ndarray]  # (12, T) int64, float for the tco_/tch_ rates
    national: dict[str, np.ndarray]  # (T,) int64 (taux_co2 included)
    local_day: np.ndarray  # (T,) Paris-local day number
    local_minute: np.ndarray  # (T,) minute of the Paris-local day


def _national_means(
    thermal: dict[str, np.ndarray], hydro: production.Hydro, flex: Flexible, bio: Bioenergies
) -> dict[str, np.ndarray]:
    """National output by technology and by sector, before the regional split."""
    national = {
        **thermal,
        "hydraulique_fil_eau_eclusee": ints(hydro.run_of_river),
        "hydraulique_lacs": ints(hydro.lakes),
        "hydraulique_step_turbinage": ints(flex.step_turbine),
        "bioenergies_dechets": bio.waste,
        "bioenergies_biomasse": bio.biomass,
        "bioenergies_biogaz": bio.biogas,
    }
    national["fioul"] = national["fioul_tac"] + national["fioul_cogen"] + national["fioul_autres"]
    national["gaz"] = (
        national["gaz_tac"] + national["gaz_cogen"] + national["gaz_ccg"] + national["gaz_autres"]
    )
    national["hydraulique"] = (
        national["hydraulique_fil_eau_eclusee"]
        + national["hydraulique_lacs"]
        + national["hydraulique_step_turbinage"]
    )
    return national


def _thermal_fr(national: dict[str, np.ndarray]) -> np.ndarray:
    return np.asarray(national["fioul"] + national["charbon"] + national["gaz"])


def _regional_balance(
    consumption_r: np.ndarray,
    national: dict[str, np.ndarray],
    nuclear: Nuclear,
    wind_solar: Renewables,
    flex: Flexible,
    bio_fr: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each region's means in integer MW; physical exchanges close the balance."""
    nuclear_fr = nuclear.available.sum(axis=0)
    nuclear_r = np.round(
        nuclear.available * (1.0 - flex.modulation / np.maximum(nuclear_fr, 1.0))[None, :]
    ).astype(np.int64)
    regional: dict[str, np.ndarray] = {
        "consommation": consumption_r,
        "thermique": production.allocate(_thermal_fr(national), THERMAL_SHARE[:, None]),
        "nucleaire": nuclear_r,
        "eolien_terrestre": wind_solar.onshore,
        "eolien_offshore": wind_solar.offshore,
        "solaire": wind_solar.solar,
        "hydraulique": production.allocate(national["hydraulique"], HYDRO_SHARE[:, None]),
        "pompage": production.allocate(ints(flex.pumping), PUMPING_SHARE[:, None]),
        "bioenergies": production.allocate(bio_fr, POP_SHARE[:, None]),
        "stockage_batterie": production.allocate(ints(flex.battery_in), POP_SHARE[:, None]),
        "destockage_batterie": production.allocate(ints(flex.battery_out), POP_SHARE[:, None]),
    }
    regional["eolien"] = wind_solar.onshore + wind_solar.offshore
    regional["ech_physiques"] = regional["consommation"] - (
        regional["thermique"]
        + regional["nucleaire"]
        + regional["eolien"]
        + regional["solaire"]
        + regional["hydraulique"]
        + regional["bioenergies"]
        + regional["destockage_batterie"]
        + regional["pompage"]
        + regional["stockage_batterie"]
    )
    return regional


def _national_totals(
    national: dict[str, np.ndarray], regional: dict[str, np.ndarray], bio: Bioenergies
) -> dict[str, np.ndarray]:
    """France as the sum of the regions, and its CO2 rate (g/kWh) from the thermal mix."""
    totals = {name: regional[name].sum(axis=0) for name in _SUMMED}
    totals["consommation"] = regional["consommation"].sum(axis=0)
    output = _thermal_fr(national) + totals["nucleaire"] + totals["eolien"] + totals["solaire"]
    bio_fr = bio.waste + bio.biomass + bio.biogas
    output = output + national["hydraulique"] + bio_fr + totals["destockage_batterie"]
    emissions = (
        0.986 * national["charbon"]
        + 0.777 * national["fioul"]
        + 0.429 * national["gaz"]
        + 0.494 * bio.waste
    )
    totals["taux_co2"] = ints(1000.0 * emissions / np.maximum(output, 1))
    return totals


def _forecasts_and_borders(
    epoch_s: np.ndarray, consumption_fr: np.ndarray, exchanges_fr: np.ndarray
) -> dict[str, np.ndarray]:
    """Day-ahead and intraday forecasts; commercial exchanges per border that roughly add up
    to the physical balance."""
    hours = epoch_s / 3600.0
    j1_noise = rnd.value_noise(rnd.S_FORECAST_J1, 0, hours, 6.0)
    j_noise = rnd.value_noise(rnd.S_FORECAST_J, 0, hours, 3.0)
    answer = {
        "prevision_j1": ints(consumption_fr * (1.0 + 0.015 * j1_noise) / 100.0) * 100,
        "prevision_j": ints(consumption_fr * (1.0 + 0.007 * j_noise) / 50.0) * 50,
    }
    noise = np.stack([1_200.0 * rnd.value_noise(rnd.S_BORDER, k, hours, 8.0) for k in range(5)])
    noise -= noise.mean(axis=0)
    borders = ints(_BORDER_WEIGHTS[:, None] * exchanges_fr[None, :] + noise)
    answer.update(zip(_BORDERS, borders, strict=True))
    return answer


def _rates(
    epoch_s: np.ndarray,
    regional: dict[str, np.ndarray],
    nuclear: Nuclear,
    wind_solar: Renewables,
    bio: Bioenergies,
) -> dict[str, np.ndarray]:
    """Coverage (TCO, % of consumption) and load (TCH, % of capacity) rates per region."""
    n = len(epoch_s)
    capacities = {
        "thermique": between_dates(epoch_s, production.THERMAL_CAPACITY)[None, :]
        * THERMAL_SHARE[:, None],
        "nucleaire": nuclear.capacity,
        "eolien": wind_solar.wind_capacity + wind_solar.offshore_capacity,
        "solaire": wind_solar.solar_capacity,
        "hydraulique": production.HYDRO_CAPACITY_MW * HYDRO_SHARE[:, None] * np.ones((1, n)),
        "bioenergies": bio.capacity[None, :] * POP_SHARE[:, None],
    }  # fmt: skip
    safe_consumption = np.maximum(regional["consommation"], 1)
    rates = {}
    for name, capacity in capacities.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            rates[f"tco_{name}"] = np.round(100.0 * regional[name] / safe_consumption, 2)
            rates[f"tch_{name}"] = np.round(
                np.where(capacity > 0, 100.0 * regional[name] / capacity, np.nan), 2
            )
    return rates


def simulate(epoch_s: np.ndarray) -> Simulation:
    """Everything at the given instants, for all regions (pure function of each instant)."""
    epoch_s = np.asarray(epoch_s, dtype=np.int64)
    local = paris_local(epoch_s)
    weather = regional_weather(epoch_s, local.day)
    t_days = epoch_s / DAY_S
    winterness = 0.5 * (season(t_days) + 1.0)
    consumption_r = consumption(epoch_s, local, weather.tday)
    consumption_fr = consumption_r.sum(axis=0)

    wind_solar = production.renewables(epoch_s, weather)
    bio = production.bioenergies(epoch_s, t_days, winterness)
    nuclear = production.nuclear(epoch_s, t_days)
    hydro = production.hydro(t_days, winterness, consumption_fr)
    nuclear_fr = nuclear.available.sum(axis=0)
    wind_fr = (wind_solar.onshore + wind_solar.offshore).sum(axis=0)
    bio_fr = bio.waste + bio.biomass + bio.biogas
    residual = (
        consumption_fr - nuclear_fr - wind_fr - wind_solar.solar.sum(axis=0) - bio_fr
        - hydro.run_of_river - hydro.lakes
    )  # fmt: skip
    flex = production.flexible(epoch_s, residual, nuclear_fr)

    thermal = production.thermal(epoch_s, winterness, flex.after)
    national = _national_means(thermal, hydro, flex, bio)
    regional = _regional_balance(consumption_r, national, nuclear, wind_solar, flex, bio_fr)
    national |= _national_totals(national, regional, bio)
    national |= _forecasts_and_borders(epoch_s, consumption_fr, national["ech_physiques"])
    regional |= _rates(epoch_s, regional, nuclear, wind_solar, bio)
    return Simulation(epoch_s, regional, national, local.day, local.minute)
