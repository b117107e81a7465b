"""Offline stand-ins for RTE éCO2mix (ODRÉ) and Open-Meteo: deterministic data, local server."""
