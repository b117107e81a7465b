{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['region_code', 'hour_at'],
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'hour_at'], 'unique': true}, {'columns': ['hour_at']}],
    )
}}

with

regional_consumption as (
    select * from {{ ref('stg_eco2mix__regional_consumption') }}
    {{ incremental_window('measured_at', 'hour_at', text_column='measured_at_text') }}
),

national_consumption as (
    select * from {{ ref('stg_eco2mix__national_consumption') }}
    {{ incremental_window('measured_at', 'hour_at', text_column='measured_at_text') }}
),

-- 15/30-minute readings -> hourly means; the mean is right whatever the step
regional_hours as (
    select
        region_code,
        {{ utc_hour('measured_at') }} as hour_at,
        avg(consumption_mw) as mean_consumption_mw,
        max(consumption_mw) as peak_consumption_mw,
        count(consumption_mw) as reading_count,
        {{ is_complete_hour('consumption_mw', 'measured_at', 'is_real_time_dataset') }} as is_complete_hour,
        avg(thermal_mw) as thermal_mw,
        cast(null as {{ dbt.type_numeric() }}) as coal_mw,
        cast(null as {{ dbt.type_numeric() }}) as gas_mw,
        cast(null as {{ dbt.type_numeric() }}) as oil_mw,
        avg(nuclear_mw) as nuclear_mw,
        avg(wind_mw) as wind_mw,
        avg(solar_mw) as solar_mw,
        avg(hydro_mw) as hydro_mw,
        avg(bioenergy_mw) as bioenergy_mw,
        avg(battery_discharging_mw) as battery_discharging_mw,
        avg(pumping_mw) as pumping_mw,
        avg(battery_charging_mw) as battery_charging_mw,
        avg(physical_exchanges_mw) as physical_exchanges_mw,
        cast(null as {{ dbt.type_numeric() }}) as co2_intensity_g_per_kwh
    from regional_consumption
    group by 1, 2
    having count(consumption_mw) > 0
),

-- France from the national dataset (not a sum of the regions): it alone has the fuel split and CO2
national_hours as (
    select
        '{{ var("national_region_code") }}' as region_code,
        {{ utc_hour('measured_at') }} as hour_at,
        avg(consumption_mw) as mean_consumption_mw,
        max(consumption_mw) as peak_consumption_mw,
        count(consumption_mw) as reading_count,
        {{ is_complete_hour('consumption_mw', 'measured_at', 'is_real_time_dataset') }} as is_complete_hour,
        avg({{ sum_of_present(['coal_mw', 'gas_mw', 'oil_mw']) }}) as thermal_mw,
        avg(coal_mw) as coal_mw,
        avg(gas_mw) as gas_mw,
        avg(oil_mw) as oil_mw,
        avg(nuclear_mw) as nuclear_mw,
        avg(wind_mw) as wind_mw,
        avg(solar_mw) as solar_mw,
        avg(hydro_mw) as hydro_mw,
        avg(bioenergy_mw) as bioenergy_mw,
        avg(battery_discharging_mw) as battery_discharging_mw,
        avg(pumping_mw) as pumping_mw,
        avg(battery_charging_mw) as battery_charging_mw,
        avg(physical_exchanges_mw) as physical_exchanges_mw,
        avg(co2_intensity_g_per_kwh) as co2_intensity_g_per_kwh
    from national_consumption
    where perimeter_name = 'France'
    group by 1, 2
    having count(consumption_mw) > 0
),

unioned as (
    select * from regional_hours
    union all
    select * from national_hours
),

final as (
    select
        region_code,
        hour_at,
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
    from unioned
)

select * from final
