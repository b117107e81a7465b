with

monthly_mix as (select * from {{ ref('fct_energy_mix_monthly') }}),

regions as (select * from {{ ref('dim_regions') }}),

final as (
    select
        monthly_mix.month_start_date,
        monthly_mix.region_code,
        monthly_mix.consumption_mwh,
        monthly_mix.production_mwh,
        cast(monthly_mix.production_mwh - monthly_mix.consumption_mwh as {{ dbt.type_float() }}) as balance_mwh,
        cast(
            {{ safe_divide('monthly_mix.production_mwh', 'monthly_mix.consumption_mwh') }} as {{ dbt.type_float() }}
        ) as coverage_ratio,
        cast(
            {{ safe_divide('monthly_mix.production_mwh - monthly_mix.consumption_mwh', 'regions.population') }} * 1000
            as {{ dbt.type_float() }}
        ) as balance_kwh_per_inhabitant,
        monthly_mix.physical_exchanges_mwh,
        monthly_mix.pumping_mwh,
        monthly_mix.battery_charging_mwh,
        cast(monthly_mix.production_mwh > monthly_mix.consumption_mwh as {{ dbt.type_boolean() }}) as is_net_exporter,
        monthly_mix.is_complete_month
    from monthly_mix
    inner join regions
        on monthly_mix.region_code = regions.region_code
)

select * from final
