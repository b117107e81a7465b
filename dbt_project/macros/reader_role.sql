{#-
    The read-only role the dashboard (or any analyst) logs in with: USAGE on schema `marts` and
    SELECT on its tables, nothing on `raw`, `staging` or `intermediate`. The role itself, its
    password and its scope (CONNECT on this database only, role settings, no temporary tables or
    large objects) are made by extract/reader_role.py, never here: dbt writes what it renders
    into its logs, manifest and docs site, so no password may pass through it (docs/security.md).
-#}

{#
    on-run-end: USAGE on the marts schema, SELECT on its tables, and SELECT by default on tables
    created there later, so a rebuilt or new mart is readable at once. A missing role is not an
    error (a plain `dbt build` works without it); the log says how to create it.
#}
{% macro grant_reader_on_marts() -%}
    {{ return(adapter.dispatch('grant_reader_on_marts', 'wattlake')()) }}
{%- endmacro %}

{# Spark: no roles; the marts reach the dashboard through `make publish`, which grants them in PostgreSQL. #}
{% macro spark__grant_reader_on_marts() -%}
    {{ return('') }}
{%- endmacro %}

{% macro default__grant_reader_on_marts() -%}
    {%- set role = var('reader_role') -%}
    {%- if not modules.re.fullmatch('[a-z_][a-z0-9_]*', role) -%}
        {{ exceptions.raise_compiler_error(
            "WATTLAKE_READER_USER=" ~ role ~ " is not a plain role name: use lower-case letters,"
            ~ " digits and _.") }}
    {%- endif -%}
    {%- if execute -%}
        {%- set found = run_query("select 1 from pg_roles where rolname = '" ~ role ~ "'") -%}
        {%- if found | length == 0 -%}
            {{ log("The reader role " ~ role ~ " does not exist, so nobody may read the marts:"
                ~ " run `python -m extract.reader_role` (make transform does), then dbt again.",
                info=True) }}
        {%- endif -%}
    {%- endif %}
    do $wattlake$
    begin
        if exists (select 1 from pg_roles where rolname = '{{ role }}')
            and exists (select 1 from information_schema.schemata where schema_name = 'marts')
        then
            grant usage on schema marts to {{ role }};
            grant select on all tables in schema marts to {{ role }};
            alter default privileges in schema marts grant select on tables to {{ role }};
        end if;
    end
    $wattlake$
{%- endmacro %}
