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
fixed_holidays (holiday_month, holiday_day, holiday_name) as (
    values
    (1, 1, 'Jour de l''an'),
    (5, 1, 'Fête du Travail'),
    (5, 8, 'Victoire 1945'),
    (7, 14, 'Fête nationale'),
    (8, 15, 'Assomption'),
    (11, 1, 'Toussaint'),
    (11, 11, 'Armistice 1918'),
    (12, 25, 'Noël')
),

easter_holidays (days_after_easter, holiday_name) as (
    values
    (1, 'Lundi de Pâques'),
    (39, 'Ascension'),
    (50, 'Lundi de Pentecôte')
),

holidays as (
    select
        {{ date_from_parts(
            'years.calendar_year', 'fixed_holidays.holiday_month', 'fixed_holidays.holiday_day'
        ) }} as holiday_date,
        fixed_holidays.holiday_name
    from years
    cross join fixed_holidays
    union all
    select
        cast(
            {{ dbt.dateadd('day', 'easter_holidays.days_after_easter', 'easter.easter_sunday_date') }} as date
        ) as holiday_date,
        easter_holidays.holiday_name
    from easter
    cross join easter_holidays
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
