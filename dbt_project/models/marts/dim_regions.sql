with

regions as (
    select * from {{ ref('regions') }}
),

national as (
    select
        '{{ var("national_region_code") }}' as region_code,
        'France' as region_name,
        sum(population) as population,
        max(population_year) as population_year,
        true as is_national
    from regions
),

regional as (
    select
        region_code,
        region_name,
        population,
        population_year,
        false as is_national
    from regions
),

unioned as (
    select * from regional
    union all
    select * from national
),

final as (
    select
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(region_name as {{ dbt.type_string() }}) as region_name,
        cast(population as {{ dbt.type_bigint() }}) as population,
        cast(population_year as {{ dbt.type_int() }}) as population_year,
        cast(is_national as {{ dbt.type_boolean() }}) as is_national
    from unioned
)

select * from final
