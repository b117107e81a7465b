{{
    config(
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'hour_at'], 'unique': true}, {'columns': ['hour_at']}],
        **incremental_config(['region_code', 'hour_at'], partition_column='local_month')
    )
}}

{#- the measures the regional and the national datasets both publish, under the same names -#}
{%- set measures_of_both_datasets = [
    'nuclear_mw', 'wind_mw', 'solar_mw', 'hydro_mw', 'bioenergy_mw', 'battery_discharging_mw',
    'pumping_mw', 'battery_charging_mw', 'physical_exchanges_mw',
] -%}

with

regional_consumption as (
    select * from {{ ref('stg_eco2mix__regional_consumption') }}
    {{ incremental_window('measured_at', 'hour_at', text_column='measured_at_text') }}
),

national_consumption as (
    select * from {{ ref('stg_eco2mix__national_consumption') }}
    {{ incremental_window('measured_at', 'hour_at', text_column='measured_at_text') }}
),

-- one row per region and step: France from the national dataset (not a sum of the regions), as it
-- alone has the fuel split and CO2; the measures both datasets publish come through unchanged
readings as (
    select
        region_code,
        measured_at,
        is_real_time_dataset,
        thermal_mw,
        -- no fuel split nor CO2 in the regional dataset (typed by the national branch below)
        null as coal_mw,
        null as gas_mw,
        null as oil_mw,
        null as co2_intensity_g_per_kwh,
        {%- for measure in measures_of_both_datasets %}
        {{ measure }},
        {%- endfor %}
        consumption_mw
    from regional_consumption
    union all
    select
        '{{ var("national_region_code") }}' as region_code,
        measured_at,
        is_real_time_dataset,
        {{ sum_of_present(['coal_mw', 'gas_mw', 'oil_mw']) }} as thermal_mw,
        coal_mw,
        gas_mw,
        oil_mw,
        co2_intensity_g_per_kwh,
        {%- for measure in measures_of_both_datasets %}
        {{ measure }},
        {%- endfor %}
        consumption_mw
    from national_consumption
    where perimeter_name = 'France'
),

-- 15/30-minute readings -> hourly means; the mean is right whatever the step
hours as (
    select
        region_code,
        {{ utc_hour('measured_at') }} as hour_at,
        avg(consumption_mw) as mean_consumption_mw,
        max(consumption_mw) as peak_consumption_mw,
        count(consumption_mw) as reading_count,
        {{ is_complete_hour('consumption_mw', 'measured_at', 'is_real_time_dataset') }} as is_complete_hour,
        {%- for measure in measures_of_both_datasets %}
        avg({{ measure }}) as {{ measure }},
        {%- endfor %}
        avg(thermal_mw) as thermal_mw,
        avg(coal_mw) as coal_mw,
        avg(gas_mw) as gas_mw,
        avg(oil_mw) as oil_mw,
        avg(co2_intensity_g_per_kwh) as co2_intensity_g_per_kwh
    from readings
    group by 1, 2
    having count(consumption_mw) > 0
),

final as (
    select
        region_code,
        hour_at,
        {{ local_month('hour_at') }} as local_month,
        cast(mean_consumption_mw as {{ dbt.type_float() }}) as mean_consumption_mw,
        cast(peak_consumption_mw as {{ dbt.type_float() }}) as peak_consumption_mw,
        cast(reading_count as {{ dbt.type_int() }}) as reading_count,
        cast(is_complete_hour as {{ dbt.type_boolean() }}) as is_complete_hour,
        cast({{ sum_of_present([
            'thermal_mw', 'nuclear_mw', 'wind_mw', 'solar_mw', 'hydro_mw', 'bioenergy_mw',
            'battery_discharging_mw',
        ]) }} as {{ dbt.type_float() }}) as production_mw,
        cast(thermal_mw as {{ dbt.type_float() }}) as thermal_mw,
        cast(coal_mw as {{ dbt.type_float() }}) as coal_mw,
        cast(gas_mw as {{ dbt.type_float() }}) as gas_mw,
        cast(oil_mw as {{ dbt.type_float() }}) as oil_mw,
        cast(nuclear_mw as {{ dbt.type_float() }}) as nuclear_mw,
        cast(wind_mw as {{ dbt.type_float() }}) as wind_mw,
        cast(solar_mw as {{ dbt.type_float() }}) as solar_mw,
        cast(hydro_mw as {{ dbt.type_float() }}) as hydro_mw,
        cast(bioenergy_mw as {{ dbt.type_float() }}) as bioenergy_mw,
        cast(battery_discharging_mw as {{ dbt.type_float() }}) as battery_discharging_mw,
        cast(pumping_mw as {{ dbt.type_float() }}) as pumping_mw,
        cast(battery_charging_mw as {{ dbt.type_float() }}) as battery_charging_mw,
        cast(physical_exchanges_mw as {{ dbt.type_float() }}) as physical_exchanges_mw,
        cast(co2_intensity_g_per_kwh as {{ dbt.type_float() }}) as co2_intensity_g_per_kwh
    from hours
)

select {{ one_file_per_partition() }} * from final
