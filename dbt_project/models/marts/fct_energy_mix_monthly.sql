{{
    config(
        on_schema_change='fail',
        indexes=[{'columns': ['region_code', 'month_start_date']}],
        **incremental_config(['month_start_date', 'region_code'], partition_column='month_start_date')
    )
}}

with

hourly_consumption as (
    select * from {{ ref('fct_consumption_hourly') }}
    {%- if is_incremental() %}
    where consumption_date >= {{ dbt.date_trunc('month', lookback_start('month_start_date')) }}
    {%- endif %}
),

-- an hourly mean in MW over one hour is that hour's energy in MWh; CO2 intensity is weighted by
-- the energy it applies to (g/kWh × MWh / 1000 = tonnes)
monthly as (
    select
        region_code,
        cast({{ dbt.date_trunc('month', 'consumption_date') }} as date) as month_start_date,
        sum(mean_consumption_mw) as consumption_mwh,
        sum(production_mw) as production_mwh,
        sum(thermal_mw) as thermal_mwh,
        sum(coal_mw) as coal_mwh,
        sum(gas_mw) as gas_mwh,
        sum(oil_mw) as oil_mwh,
        sum(nuclear_mw) as nuclear_mwh,
        sum(wind_mw) as wind_mwh,
        sum(solar_mw) as solar_mwh,
        sum(hydro_mw) as hydro_mwh,
        sum(bioenergy_mw) as bioenergy_mwh,
        sum(battery_discharging_mw) as battery_discharging_mwh,
        sum(pumping_mw) as pumping_mwh,
        sum(battery_charging_mw) as battery_charging_mwh,
        sum(physical_exchanges_mw) as physical_exchanges_mwh,
        sum(co2_intensity_g_per_kwh * production_mw) / 1000 as co2_emissions_t,
        sum(case when co2_intensity_g_per_kwh is not null then production_mw end) as co2_covered_production_mwh,
        count(*) as hour_count
    from hourly_consumption
    group by 1, 2
),

with_month_length as (
    select
        *,
        cast(
            {{ seconds_between(
                local_timestamp_to_utc('month_start_date', "'" ~ var('local_time_zone') ~ "'"),
                local_timestamp_to_utc(dbt.dateadd('month', 1, 'month_start_date'), "'" ~ var('local_time_zone') ~ "'"),
            ) }} / 3600
            as {{ dbt.type_int() }}
        ) as hours_in_month
    from monthly
),

final as (
    select
        month_start_date,
        region_code,
        consumption_mwh,
        production_mwh,
        thermal_mwh,
        coal_mwh,
        gas_mwh,
        oil_mwh,
        nuclear_mwh,
        wind_mwh,
        solar_mwh,
        hydro_mwh,
        bioenergy_mwh,
        battery_discharging_mwh,
        pumping_mwh,
        battery_charging_mwh,
        physical_exchanges_mwh,
        {{ safe_divide('thermal_mwh', 'production_mwh') }} as thermal_share,
        {{ safe_divide('nuclear_mwh', 'production_mwh') }} as nuclear_share,
        {{ safe_divide('wind_mwh', 'production_mwh') }} as wind_share,
        {{ safe_divide('solar_mwh', 'production_mwh') }} as solar_share,
        {{ safe_divide('hydro_mwh', 'production_mwh') }} as hydro_share,
        {{ safe_divide('bioenergy_mwh', 'production_mwh') }} as bioenergy_share,
        {{ safe_divide(
            sum_of_present(['nuclear_mwh', 'wind_mwh', 'solar_mwh', 'hydro_mwh', 'bioenergy_mwh']),
            'production_mwh',
        ) }} as low_carbon_share,
        {{ safe_divide(
            sum_of_present(['wind_mwh', 'solar_mwh', 'hydro_mwh', 'bioenergy_mwh']), 'production_mwh'
        ) }} as renewable_share,
        {{ safe_divide('co2_emissions_t * 1000', 'co2_covered_production_mwh') }} as co2_intensity_g_per_kwh,
        co2_emissions_t,
        cast(hour_count as {{ dbt.type_int() }}) as hour_count,
        hours_in_month,
        hour_count = hours_in_month as is_complete_month
    from with_month_length
)

select {{ one_file_per_partition() }} * from final
