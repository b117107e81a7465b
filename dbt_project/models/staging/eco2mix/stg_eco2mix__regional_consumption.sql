with

-- the consolidated/definitive dataset, and the real-time one when it is loaded; a column the
-- raw table lacks (older files) is null, a raw table not loaded gives no rows (macros/raw_column.sql)
renamed as (
    {%- for dataset in eco2mix_datasets('eco2mix_regional') %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        {{ raw_column(dataset, 'code_insee_region') }} as region_code,
        {{ raw_column(dataset, 'libelle_region') }} as region_name,
        {{ raw_column(dataset, 'nature') }} as data_nature,
        {{ offset_timestamp_to_utc(raw_column(dataset, 'date_heure')) }} as measured_at,
        {{ raw_column(dataset, 'date_heure') }} as measured_at_text,
        {{ clean_number(raw_column(dataset, 'consommation')) }} as consumption_mw,
        {{ clean_number(raw_column(dataset, 'thermique')) }} as thermal_mw,
        {{ clean_number(raw_column(dataset, 'nucleaire')) }} as nuclear_mw,
        {{ clean_number(raw_column(dataset, 'eolien')) }} as wind_mw,
        {{ clean_number(raw_column(dataset, 'eolien_terrestre')) }} as onshore_wind_mw,
        {{ clean_number(raw_column(dataset, 'eolien_offshore')) }} as offshore_wind_mw,
        {{ clean_number(raw_column(dataset, 'solaire')) }} as solar_mw,
        {{ clean_number(raw_column(dataset, 'hydraulique')) }} as hydro_mw,
        {{ clean_number(raw_column(dataset, 'pompage')) }} as pumping_mw,
        {{ clean_number(raw_column(dataset, 'bioenergies')) }} as bioenergy_mw,
        {{ clean_number(raw_column(dataset, 'ech_physiques')) }} as physical_exchanges_mw,
        {{ clean_number(raw_column(dataset, 'stockage_batterie')) }} as battery_charging_mw,
        {{ clean_number(raw_column(dataset, 'destockage_batterie')) }} as battery_discharging_mw,
        {{ clean_number(raw_column(dataset, 'tco_thermique')) }} as thermal_coverage_pct,
        {{ clean_number(raw_column(dataset, 'tch_thermique')) }} as thermal_load_factor_pct,
        {{ clean_number(raw_column(dataset, 'tco_nucleaire')) }} as nuclear_coverage_pct,
        {{ clean_number(raw_column(dataset, 'tch_nucleaire')) }} as nuclear_load_factor_pct,
        {{ clean_number(raw_column(dataset, 'tco_eolien')) }} as wind_coverage_pct,
        {{ clean_number(raw_column(dataset, 'tch_eolien')) }} as wind_load_factor_pct,
        {{ clean_number(raw_column(dataset, 'tco_solaire')) }} as solar_coverage_pct,
        {{ clean_number(raw_column(dataset, 'tch_solaire')) }} as solar_load_factor_pct,
        {{ clean_number(raw_column(dataset, 'tco_hydraulique')) }} as hydro_coverage_pct,
        {{ clean_number(raw_column(dataset, 'tch_hydraulique')) }} as hydro_load_factor_pct,
        {{ clean_number(raw_column(dataset, 'tco_bioenergies')) }} as bioenergy_coverage_pct,
        {{ clean_number(raw_column(dataset, 'tch_bioenergies')) }} as bioenergy_load_factor_pct,
        {{ raw_column(dataset, '_dlt_load_id') }} as dlt_load_id,
        {{ raw_column(dataset, '_source_file') }} as source_file_path,
        {{ raw_column(dataset, '_source_row', dbt.type_bigint()) }} as source_row,
        {{ dataset.is_real_time }} as is_real_time_dataset
    from {{ raw_from(dataset) }}
    {%- endfor %}
),

-- the same step may be published several times, by both datasets: keep the best one
best_publications as (
    {{ best_eco2mix_publications('renamed', 'region_code') }}
),

final as (
    select
        region_code,
        region_name,
        data_nature,
        measured_at,
        measured_at_text,
        consumption_mw,
        thermal_mw,
        nuclear_mw,
        wind_mw,
        onshore_wind_mw,
        offshore_wind_mw,
        solar_mw,
        hydro_mw,
        pumping_mw,
        bioenergy_mw,
        physical_exchanges_mw,
        battery_charging_mw,
        battery_discharging_mw,
        thermal_coverage_pct,
        thermal_load_factor_pct,
        nuclear_coverage_pct,
        nuclear_load_factor_pct,
        wind_coverage_pct,
        wind_load_factor_pct,
        solar_coverage_pct,
        solar_load_factor_pct,
        hydro_coverage_pct,
        hydro_load_factor_pct,
        bioenergy_coverage_pct,
        bioenergy_load_factor_pct,
        dlt_load_id,
        source_file_path,
        source_row,
        is_real_time_dataset
    from best_publications
)

select * from final
