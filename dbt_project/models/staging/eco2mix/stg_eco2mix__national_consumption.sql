with

-- the consolidated/definitive dataset, and the real-time one when it is loaded; a column the
-- raw table lacks (older files) is null, a raw table not loaded gives no rows (macros/raw_column.sql)
renamed as (
    {%- for dataset in eco2mix_datasets('eco2mix_national') %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        {{ raw_column(dataset, 'perimetre') }} as perimeter_name,
        {{ raw_column(dataset, 'nature') }} as data_nature,
        {{ offset_timestamp_to_utc(raw_column(dataset, 'date_heure')) }} as measured_at,
        {{ raw_column(dataset, 'date_heure') }} as measured_at_text,
        {{ clean_number(raw_column(dataset, 'consommation')) }} as consumption_mw,
        {{ clean_number(raw_column(dataset, 'prevision_j1')) }} as forecast_day_ahead_mw,
        {{ clean_number(raw_column(dataset, 'prevision_j')) }} as forecast_same_day_mw,
        {{ clean_number(raw_column(dataset, 'taux_co2')) }} as co2_intensity_g_per_kwh,
        {{ clean_number(raw_column(dataset, 'fioul')) }} as oil_mw,
        {{ clean_number(raw_column(dataset, 'fioul_tac')) }} as oil_combustion_turbine_mw,
        {{ clean_number(raw_column(dataset, 'fioul_cogen')) }} as oil_cogeneration_mw,
        {{ clean_number(raw_column(dataset, 'fioul_autres')) }} as oil_other_mw,
        {{ clean_number(raw_column(dataset, 'charbon')) }} as coal_mw,
        {{ clean_number(raw_column(dataset, 'gaz')) }} as gas_mw,
        {{ clean_number(raw_column(dataset, 'gaz_tac')) }} as gas_combustion_turbine_mw,
        {{ clean_number(raw_column(dataset, 'gaz_cogen')) }} as gas_cogeneration_mw,
        {{ clean_number(raw_column(dataset, 'gaz_ccg')) }} as gas_combined_cycle_mw,
        {{ clean_number(raw_column(dataset, 'gaz_autres')) }} as gas_other_mw,
        {{ clean_number(raw_column(dataset, 'nucleaire')) }} as nuclear_mw,
        {{ clean_number(raw_column(dataset, 'eolien')) }} as wind_mw,
        {{ clean_number(raw_column(dataset, 'eolien_terrestre')) }} as onshore_wind_mw,
        {{ clean_number(raw_column(dataset, 'eolien_offshore')) }} as offshore_wind_mw,
        {{ clean_number(raw_column(dataset, 'solaire')) }} as solar_mw,
        {{ clean_number(raw_column(dataset, 'hydraulique')) }} as hydro_mw,
        {{ clean_number(raw_column(dataset, 'hydraulique_fil_eau_eclusee')) }} as hydro_run_of_river_mw,
        {{ clean_number(raw_column(dataset, 'hydraulique_lacs')) }} as hydro_reservoir_mw,
        {{ clean_number(raw_column(dataset, 'hydraulique_step_turbinage')) }} as hydro_pumped_storage_generation_mw,
        {{ clean_number(raw_column(dataset, 'pompage')) }} as pumping_mw,
        {{ clean_number(raw_column(dataset, 'bioenergies')) }} as bioenergy_mw,
        {{ clean_number(raw_column(dataset, 'bioenergies_dechets')) }} as bioenergy_waste_mw,
        {{ clean_number(raw_column(dataset, 'bioenergies_biomasse')) }} as bioenergy_biomass_mw,
        {{ clean_number(raw_column(dataset, 'bioenergies_biogaz')) }} as bioenergy_biogas_mw,
        {{ clean_number(raw_column(dataset, 'stockage_batterie')) }} as battery_charging_mw,
        {{ clean_number(raw_column(dataset, 'destockage_batterie')) }} as battery_discharging_mw,
        {{ clean_number(raw_column(dataset, 'ech_physiques')) }} as physical_exchanges_mw,
        {{ clean_number(raw_column(dataset, 'ech_comm_angleterre')) }} as commercial_exchanges_great_britain_mw,
        {{ clean_number(raw_column(dataset, 'ech_comm_espagne')) }} as commercial_exchanges_spain_mw,
        {{ clean_number(raw_column(dataset, 'ech_comm_italie')) }} as commercial_exchanges_italy_mw,
        {{ clean_number(raw_column(dataset, 'ech_comm_suisse')) }} as commercial_exchanges_switzerland_mw,
        {{ clean_number(raw_column(dataset, 'ech_comm_allemagne_belgique')) }} as commercial_exchanges_germany_belgium_mw,  -- noqa: LT05
        {{ raw_column(dataset, '_dlt_load_id') }} as dlt_load_id,
        {{ raw_column(dataset, '_source_file') }} as source_file_path,
        {{ raw_column(dataset, '_source_row', dbt.type_bigint()) }} as source_row,
        {{ dataset.is_real_time }} as is_real_time_dataset
    from {{ raw_from(dataset) }}
    {%- endfor %}
),

-- the same step may be published several times, by both datasets: keep the best one
best_publications as (
    {{ best_eco2mix_publications('renamed', 'perimeter_name') }}
),

final as (
    select
        perimeter_name,
        data_nature,
        measured_at,
        measured_at_text,
        consumption_mw,
        forecast_day_ahead_mw,
        forecast_same_day_mw,
        co2_intensity_g_per_kwh,
        oil_mw,
        oil_combustion_turbine_mw,
        oil_cogeneration_mw,
        oil_other_mw,
        coal_mw,
        gas_mw,
        gas_combustion_turbine_mw,
        gas_cogeneration_mw,
        gas_combined_cycle_mw,
        gas_other_mw,
        nuclear_mw,
        wind_mw,
        onshore_wind_mw,
        offshore_wind_mw,
        solar_mw,
        hydro_mw,
        hydro_run_of_river_mw,
        hydro_reservoir_mw,
        hydro_pumped_storage_generation_mw,
        pumping_mw,
        bioenergy_mw,
        bioenergy_waste_mw,
        bioenergy_biomass_mw,
        bioenergy_biogas_mw,
        battery_charging_mw,
        battery_discharging_mw,
        physical_exchanges_mw,
        commercial_exchanges_great_britain_mw,
        commercial_exchanges_spain_mw,
        commercial_exchanges_italy_mw,
        commercial_exchanges_switzerland_mw,
        commercial_exchanges_germany_belgium_mw,
        dlt_load_id,
        source_file_path,
        source_row,
        is_real_time_dataset
    from best_publications
)

select * from final
