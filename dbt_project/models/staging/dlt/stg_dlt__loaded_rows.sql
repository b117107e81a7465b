{#- The raw data tables and the instant each of their rows describes; a table not loaded yet
    gives no rows (macros/raw_column.sql). -#}
{%- set eco2mix_instant = offset_timestamp_to_utc('date_heure') -%}
{%- set tables = [
    ('eco2mix', 'eco2mix_regional', eco2mix_instant),
    ('eco2mix', 'eco2mix_national', eco2mix_instant),
    ('eco2mix', 'eco2mix_regional_tr', eco2mix_instant),
    ('eco2mix', 'eco2mix_national_tr', eco2mix_instant),
    ('open_meteo', 'open_meteo_hourly', local_timestamp_to_utc('time', "coalesce(timezone, 'UTC')")),
] -%}

with

-- lineage only: the load and the landing file each raw row comes from. Every branch casts them
-- to one type: dlt's columns are varchar, a missing table's nulls text, and with types that
-- differ PostgreSQL cannot push fct_pipeline_loads' `dlt_load_id in (...)` into the branches,
-- so it read every raw row (13 s on full history) instead of the new loads' through the index
renamed as (
    {%- for source_name, table_name, instant in tables %}
    {%- set table = raw_table(source_name, table_name) %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as table_name,
        cast({{ raw_column(table, '_dlt_load_id') }} as {{ dbt.type_string() }}) as dlt_load_id,
        cast({{ raw_column(table, '_source_file') }} as {{ dbt.type_string() }}) as source_file_path,
        {{ instant if table.columns else 'cast(null as ' ~ type_instant() ~ ')' }} as measured_at
    from {{ raw_from(table) }}
    {%- endfor %}
),

final as (
    select
        source_name,
        table_name,
        dlt_load_id,
        source_file_path,
        measured_at
    from renamed
)

select * from final
