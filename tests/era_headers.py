"""The exact headers of the éCO2mix files of past eras, as hand downloads have them (portal
labels). The 2020 regional and 2021 national ones are those of the real captures in
../shared/real-samples; tests/e2e/test_real_captures_chain.py checks that they match."""

REGIONAL_BASE = [
    "Code INSEE région", "Région", "Nature", "Date", "Heure", "Date - Heure",
    "Consommation (MW)", "Thermique (MW)", "Nucléaire (MW)", "Eolien (MW)", "Solaire (MW)",
    "Hydraulique (MW)", "Pompage (MW)", "Bioénergies (MW)", "Ech. physiques (MW)",
]  # fmt: skip
NEIGHBOURS = [
    "Grand-Est", "Auvergne-Rhône-Alpes", "Nouvelle-Aquitaine", "Bourgogne-Franche-Comté",
    "Bretagne", "Centre-Val de Loire", "Ile-de-France", "Occitanie", "Hauts-de-France",
    "Normandie", "Pays-de-la-Loire", "PACA", "Espagne", "Suisse", "Royaume-Uni", "Italie",
    "Allemagne", "Belgique", "Luxembourg",
]  # fmt: skip
SECTORS = ["Thermique", "Nucléaire", "Eolien", "Solaire", "Hydraulique", "Bioénergies"]
# 2013-2019 regional exports: the 2020 header without its later TCO/TCH rates and trailing column.
REGIONAL_2013_2019 = [
    *REGIONAL_BASE,
    *(f"Import {name}" for name in NEIGHBOURS),
    *(f"Export {name}" for name in NEIGHBOURS),
]
# 2020 regional exports: 66 columns, `-` for missing values (the PACA capture of May 2020).
REGIONAL_2020 = [
    *REGIONAL_2013_2019,
    *(f"{rate} {sector} (%)" for sector in SECTORS for rate in ("TCO", "TCH")),
    "Column 64",
]
# 2021 national exports: 37 columns, no batteries, no onshore/offshore wind split (December 2021).
NATIONAL_2021 = [
    "Périmètre", "Nature", "Date", "Heure", "Date - Heure", "Consommation (MW)",
    "Prévision J-1 (MW)", "Prévision J (MW)", "Fioul (MW)", "Charbon (MW)", "Gaz (MW)",
    "Nucléaire (MW)", "Eolien (MW)", "Solaire (MW)", "Hydraulique (MW)", "Pompage (MW)",
    "Bioénergies (MW)", "Ech. physiques (MW)", "Taux de CO2 (g/kWh)",
    "Ech. comm. Angleterre (MW)", "Ech. comm. Espagne (MW)", "Ech. comm. Italie (MW)",
    "Ech. comm. Suisse (MW)", "Ech. comm. Allemagne-Belgique (MW)", "Fioul - TAC (MW)",
    "Fioul - Cogénération (MW)", "Fioul - Autres (MW)", "Gaz - TAC (MW)",
    "Gaz - Cogénération (MW)", "Gaz - CCG (MW)", "Gaz - Autres (MW)",
    "Hydraulique - Fil de l'eau + éclusée (MW)", "Hydraulique - Lacs (MW)",
    "Hydraulique - STEP turbinage (MW)", "Bioénergies - Déchets (MW)",
    "Bioénergies - Biomasse (MW)", "Bioénergies - Biogaz (MW)",
]  # fmt: skip
