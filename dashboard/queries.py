"""Every SQL statement of the dashboard, as named constants with bound parameters (%s)."""

REGIONS = """
    select region_code, region_name
    from marts.dim_regions
    order by region_code = 'FR' desc, region_name
"""

DATE_RANGE = """
    select min(consumption_date) as first_date, max(consumption_date) as last_date
    from marts.fct_consumption_daily
"""

DAILY_CONSUMPTION = """
    select
        consumption_date,
        mean_consumption_mw,
        peak_consumption_mw,
        energy_mwh,
        mean_temperature_c,
        heating_degree_days
    from marts.fct_consumption_daily
    where region_code = %s
        and consumption_date between %s and %s
        and is_complete_day
    order by consumption_date
"""

THERMOSENSITIVITY = """
    select
        winter_season,
        thermosensitivity_mw_per_c,
        intercept_mw,
        r_squared,
        day_count
    from marts.fct_thermosensitivity
    where region_code = %s
    order by winter_season
"""

# Example parameters for each query, used by the benchmark (tests/bench/bench_chain.py) to time
# the dashboard's SQL on the built marts.
BENCH_EXAMPLES: dict[str, tuple] = {
    "REGIONS": (),
    "DATE_RANGE": (),
    "DAILY_CONSUMPTION": ("FR", "2013-01-01", "2100-01-01"),
    "THERMOSENSITIVITY": ("FR",),
}
