-- dim_dates must list exactly the published French public holidays of a few test years,
-- including the Easter-based ones (early Easter 2008, when Ascension fell on 1 May; late
-- Easter 2038). Any missing, extra or misnamed holiday is returned.
with

dates as (select * from {{ ref('dim_dates') }}),

expected (holiday_date, holiday_name) as (
    values
    (cast('2008-01-01' as date), 'Jour de l''an'),
    (cast('2008-03-24' as date), 'Lundi de Pâques'),
    (cast('2008-05-01' as date), 'Ascension / Fête du Travail'),
    (cast('2008-05-08' as date), 'Victoire 1945'),
    (cast('2008-05-12' as date), 'Lundi de Pentecôte'),
    (cast('2008-07-14' as date), 'Fête nationale'),
    (cast('2008-08-15' as date), 'Assomption'),
    (cast('2008-11-01' as date), 'Toussaint'),
    (cast('2008-11-11' as date), 'Armistice 1918'),
    (cast('2008-12-25' as date), 'Noël'),
    (cast('2024-01-01' as date), 'Jour de l''an'),
    (cast('2024-04-01' as date), 'Lundi de Pâques'),
    (cast('2024-05-01' as date), 'Fête du Travail'),
    (cast('2024-05-08' as date), 'Victoire 1945'),
    (cast('2024-05-09' as date), 'Ascension'),
    (cast('2024-05-20' as date), 'Lundi de Pentecôte'),
    (cast('2024-07-14' as date), 'Fête nationale'),
    (cast('2024-08-15' as date), 'Assomption'),
    (cast('2024-11-01' as date), 'Toussaint'),
    (cast('2024-11-11' as date), 'Armistice 1918'),
    (cast('2024-12-25' as date), 'Noël'),
    (cast('2025-04-21' as date), 'Lundi de Pâques'),
    (cast('2025-05-29' as date), 'Ascension'),
    (cast('2025-06-09' as date), 'Lundi de Pentecôte'),
    (cast('2038-04-26' as date), 'Lundi de Pâques'),
    (cast('2038-06-03' as date), 'Ascension'),
    (cast('2038-06-14' as date), 'Lundi de Pentecôte')
),

-- the years fully listed above, and the Easter-based days of the others
checked_holidays as (
    select
        calendar_date as holiday_date,
        public_holiday_name as holiday_name
    from dates
    where
        is_public_holiday
        and (
            calendar_year in (2008, 2024)
            or (
                calendar_year in (2025, 2038)
                and public_holiday_name in ('Lundi de Pâques', 'Ascension', 'Lundi de Pentecôte')
            )
        )
),

missing as (
    select * from expected
    except
    select * from checked_holidays
),

unexpected as (
    select * from checked_holidays
    except
    select * from expected
),

final as (
    select
        'missing' as problem,
        missing.*
    from missing
    union all
    select
        'unexpected' as problem,
        unexpected.*
    from unexpected
)

select * from final
