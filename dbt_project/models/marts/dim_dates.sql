with

-- every civil date of the calendar range (dbt's cross-database date spine; end exclusive)
date_spine as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start_date') ~ "' as date)",
        "cast('" ~ var('calendar_end_date') ~ "' as date)",
    ) }}
),

days as (
    select cast(date_day as date) as calendar_date
    from date_spine
),

years as (
    select distinct cast(extract(year from calendar_date) as {{ dbt.type_int() }}) as calendar_year
    from days
),

easter as (
    select
        calendar_year,
        {{ easter_sunday('calendar_year') }} as easter_sunday_date
    from years
),

-- the 11 public holidays of mainland France (Code du travail, art. L3133-1); Whit Monday stays a
-- public holiday even where it is worked as the "journée de solidarité"
holidays as (
    select
        {{ date_from_parts('calendar_year', 1, 1) }} as holiday_date,
        'Jour de l''an' as holiday_name
    from years
    union all
    select
        cast({{ dbt.dateadd('day', 1, 'easter_sunday_date') }} as date) as holiday_date,
        'Lundi de Pâques' as holiday_name
    from easter
    union all
    select
        {{ date_from_parts('calendar_year', 5, 1) }} as holiday_date,
        'Fête du Travail' as holiday_name
    from years
    union all
    select
        {{ date_from_parts('calendar_year', 5, 8) }} as holiday_date,
        'Victoire 1945' as holiday_name
    from years
    union all
    select
        cast({{ dbt.dateadd('day', 39, 'easter_sunday_date') }} as date) as holiday_date,
        'Ascension' as holiday_name
    from easter
    union all
    select
        cast({{ dbt.dateadd('day', 50, 'easter_sunday_date') }} as date) as holiday_date,
        'Lundi de Pentecôte' as holiday_name
    from easter
    union all
    select
        {{ date_from_parts('calendar_year', 7, 14) }} as holiday_date,
        'Fête nationale' as holiday_name
    from years
    union all
    select
        {{ date_from_parts('calendar_year', 8, 15) }} as holiday_date,
        'Assomption' as holiday_name
    from years
    union all
    select
        {{ date_from_parts('calendar_year', 11, 1) }} as holiday_date,
        'Toussaint' as holiday_name
    from years
    union all
    select
        {{ date_from_parts('calendar_year', 11, 11) }} as holiday_date,
        'Armistice 1918' as holiday_name
    from years
    union all
    select
        {{ date_from_parts('calendar_year', 12, 25) }} as holiday_date,
        'Noël' as holiday_name
    from years
),

-- two holidays can fall on one date (Ascension on 1 May in 2008): one row, both names
holiday_dates as (
    select
        holiday_date,
        {{ dbt.listagg('holiday_name', "' / '", 'order by holiday_name') }} as holiday_name
    from holidays
    group by holiday_date
),

described as (
    select
        days.calendar_date,
        cast(extract(year from days.calendar_date) as {{ dbt.type_int() }}) as calendar_year,
        cast(extract(month from days.calendar_date) as {{ dbt.type_int() }}) as calendar_month,
        cast(extract(day from days.calendar_date) as {{ dbt.type_int() }}) as day_of_month,
        cast({{ dbt.date_trunc('month', 'days.calendar_date') }} as date) as month_start_date,
        {{ iso_day_of_week('days.calendar_date') }} as iso_day_of_week,
        holiday_dates.holiday_name
    from days
    left join holiday_dates
        on days.calendar_date = holiday_dates.holiday_date
),

final as (
    select
        calendar_date,
        calendar_year,
        calendar_month,
        day_of_month,
        month_start_date,
        iso_day_of_week,
        cast(
            case iso_day_of_week
                when 1 then 'Monday'
                when 2 then 'Tuesday'
                when 3 then 'Wednesday'
                when 4 then 'Thursday'
                when 5 then 'Friday'
                when 6 then 'Saturday'
                else 'Sunday'
            end
            as {{ dbt.type_string() }}
        ) as day_name,
        cast(iso_day_of_week >= 6 as {{ dbt.type_boolean() }}) as is_weekend,
        cast(holiday_name is not null as {{ dbt.type_boolean() }}) as is_public_holiday,
        cast(holiday_name as {{ dbt.type_string() }}) as public_holiday_name,
        cast(iso_day_of_week <= 5 and holiday_name is null as {{ dbt.type_boolean() }}) as is_working_day,
        cast(
            case
                when calendar_month in (12, 1, 2) then 'winter'
                when calendar_month in (3, 4, 5) then 'spring'
                when calendar_month in (6, 7, 8) then 'summer'
                else 'autumn'
            end
            as {{ dbt.type_string() }}
        ) as meteorological_season,
        cast({{ winter_season('calendar_date') }} as {{ dbt.type_string() }}) as winter_season,
        {{ hours_in_local_day('calendar_date') }} as hours_in_day
    from described
)

select * from final
