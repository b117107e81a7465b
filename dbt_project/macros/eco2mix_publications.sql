{#-
    What the two éCO2mix staging models share: where their rows come from and which
    publication of a step they keep.
-#}

{#
    The raw tables of an éCO2mix dataset that staging reads, as a list of raw_table()s
    (macros/raw_column.sql) with `is_real_time` (a SQL boolean literal): the
    consolidated/definitive table `table_name` when it exists, then its real-time twin
    `<table_name>_tr` when the extract has loaded it (the `-tr` datasets, or hand-downloaded
    real-time files). When neither exists, the consolidated table alone, which then gives no
    rows. Both are declared sources, so the lineage shows them either way.
#}
{% macro eco2mix_datasets(table_name) -%}
    {%- set consolidated = raw_table('eco2mix', table_name) -%}
    {%- do consolidated.update({'is_real_time': 'false'}) -%}
    {%- set real_time = raw_table('eco2mix', table_name ~ '_tr') -%}
    {%- do real_time.update({'is_real_time': 'true'}) -%}
    {%- set datasets = [consolidated] if consolidated.columns else [] -%}
    {%- if eco2mix_real_time_loaded(real_time) -%}
        {%- do datasets.append(real_time) -%}
    {%- endif -%}
    {{ return(datasets or [consolidated]) }}
{%- endmacro %}

{# Whether the real-time raw_table() exists (unit tests override this to leave it out). #}
{% macro eco2mix_real_time_loaded(table) -%}
    {{ return(table.columns | length > 0) }}
{%- endmacro %}

{#
    The best publication of each step of `relation` (a CTE of renamed readings): the same
    `key_column` and `measured_at` may come from both datasets and be published several times.
    The consolidated/definitive dataset wins over the real-time one, then the best nature
    (macros/eco2mix_publication_rank.sql), then the later dlt load, then the later file, then
    the later row of that file, so that a tie is always broken the same way. A later file is
    one whose landing path (`source_file_path`) sorts after, its UTF-8 bytes compared whatever
    the database's collation: for the fetched months `<dataset>/<YYYY-MM>.csv`, the later
    month; for hand downloads (`local/<name>`), the later name. A later row is a larger
    `source_row` (its line in the file). `measured_at_text`, the raw text of `measured_at` (one
    text per instant: raw stores UTC), is part of the partition so
    that a filter on it reaches the raw table's index through this window.
#}
{% macro best_eco2mix_publications(relation, key_column) -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ key_column }}, measured_at, measured_at_text
                order by
                    case when is_real_time_dataset then 0 else 1 end desc,
                    {{ eco2mix_publication_rank('data_nature') }} desc,
                    cast(dlt_load_id as {{ dbt.type_numeric() }}) desc,
                    {{ utf8_sort_key('source_file_path') }} desc nulls last,
                    source_row desc nulls last
            ) as publication_rank
        from {{ relation }}
    ) as ranked
    where publication_rank = 1
{%- endmacro %}
