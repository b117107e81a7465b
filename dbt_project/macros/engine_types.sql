{#-
    Type names that differ between the engines the project runs on (PostgreSQL, and Apache
    Spark in big-data mode). Models and macros name types only through dbt's type_*() macros
    and these; tests/dbt/test_dbt_portability.py fails on a model that spells an
    engine-specific type. PostgreSQL keeps exactly its previous types.

    On Spark, dbt-spark's own defaults are wrong for this project, so the root project
    overrides them (dbt looks up `spark__` implementations of dbt's macros in the root
    project first):
    - type_float() is `float`, 4 bytes on Spark: the project's floats are 8-byte `double`,
      as `float` (double precision) is on PostgreSQL;
    - type_numeric() is `decimal`, that is decimal(10,0) on Spark, which rounds 3.75 to 4:
      the exact numbers here (éCO2mix values, dlt load ids) need decimals, so decimal(38,10).
-#}

{% macro spark__type_float() -%}
    double
{%- endmacro %}

{% macro spark__type_numeric() -%}
    decimal(38, 10)
{%- endmacro %}

{# An instant (a point on the UTC time line): timestamptz; Spark's `timestamp` is one (UTC session). #}
{% macro type_instant() -%}
    {{ return(adapter.dispatch('type_instant', 'wattlake')()) }}
{%- endmacro %}

{% macro default__type_instant() -%}
    timestamp with time zone
{%- endmacro %}

{% macro spark__type_instant() -%}
    timestamp
{%- endmacro %}

{# The engine's name for the type of an SQL expression, as text (usable in a cast). #}
{% macro type_name_of(expression) -%}
    {{ return(adapter.dispatch('type_name_of', 'wattlake')(expression)) }}
{%- endmacro %}

{% macro default__type_name_of(expression) -%}
    pg_typeof({{ expression }})
{%- endmacro %}

{% macro spark__type_name_of(expression) -%}
    typeof({{ expression }})
{%- endmacro %}

{#
    A sort key that orders text by its UTF-8 bytes whatever the collation: PostgreSQL compares
    text by the database's collation, so its bytes; Spark compares strings by their UTF-8 bytes
    already (collation UTF8_BINARY), binary makes it explicit.
#}
{% macro utf8_sort_key(text_column) -%}
    {{ return(adapter.dispatch('utf8_sort_key', 'wattlake')(text_column)) }}
{%- endmacro %}

{% macro default__utf8_sort_key(text_column) -%}
    convert_to({{ text_column }}, 'UTF8')
{%- endmacro %}

{% macro spark__utf8_sort_key(text_column) -%}
    cast({{ text_column }} as binary)
{%- endmacro %}

{#
    The Spark name of a PostgreSQL type name, as the project's YAML spells them (contracts'
    `data_type`, seeds' `column_types`): the YAML stays in PostgreSQL's words, the ones the
    published marts have. Spark has no `text`, `double precision` nor `timestamp with time
    zone`; other names (integer, bigint, boolean, date) are the same on both.
#}
{% macro spark_type_name(postgres_type) -%}
    {%- set names = {
        'text': 'string',
        'double precision': 'double',
        'timestamp with time zone': 'timestamp',
        'timestamptz': 'timestamp',
        'numeric': spark__type_numeric(),
    } -%}
    {{ return(names.get(postgres_type | trim | lower, postgres_type)) }}
{%- endmacro %}
