with

regional_consumption as (
    select * from {{ ref('stg_eco2mix__regional_consumption') }}
),

national_consumption as (
    select * from {{ ref('stg_eco2mix__national_consumption') }}
),

-- 15/30-minute readings -> hourly means; the mean is right whatever the step
regional_hours as (
    select
        region_code,
        {{ utc_hour('measured_at') }} as hour_at,
        avg(consumption_mw) as mean_consumption_mw,
        max(consumption_mw) as peak_consumption_mw,
        count(consumption_mw) as reading_count
    from regional_consumption
    group by 1, 2
    having count(consumption_mw) > 0
),

national_hours as (
    select
        '{{ var("national_region_code") }}' as region_code,
        {{ utc_hour('measured_at') }} as hour_at,
        avg(consumption_mw) as mean_consumption_mw,
        max(consumption_mw) as peak_consumption_mw,
        count(consumption_mw) as reading_count
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
        mean_consumption_mw,
        peak_consumption_mw,
        reading_count
    from unioned
)

select * from final
