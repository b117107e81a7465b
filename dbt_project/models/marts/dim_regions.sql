with

regions as (select * from {{ ref('regions') }}),

-- the seed's regions, then mainland France as their sum
final as (
    select
        region_code,
        region_name,
        population,
        population_year,
        false as is_national
    from regions
    union all
    select
        '{{ var("national_region_code") }}' as region_code,
        'France' as region_name,
        cast(sum(population) as {{ dbt.type_bigint() }}) as population,
        max(population_year) as population_year,
        true as is_national
    from regions
)

select * from final
