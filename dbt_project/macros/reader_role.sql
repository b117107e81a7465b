{#-
    The read-only role the dashboard (or any analyst) can log in with: USAGE on schema `marts`
    and SELECT on its tables (the marts' `grants` config), nothing on `raw`, `staging` or
    `intermediate`. Its password comes from WATTLAKE_READER_PASSWORD; the default
    `wattlake_reader` is for a local, private server only. Roles are server-wide, so every
    database on the server shares it. The statement runs only where the dbt user may manage
    roles; elsewhere a DBA creates the role once.
-#}

{# on-run-start: create the role if missing and (re)set its password, idempotently. #}
{% macro create_reader_role() -%}
    {%- set role = var('reader_role') -%}
    {%- set password = env_var('WATTLAKE_READER_PASSWORD', 'wattlake_reader') | replace("'", "''") -%}
    do $wattlake$
    begin
        if exists (
            select 1 from pg_roles
            where rolname = current_user and (rolsuper or rolcreaterole)
        ) then
            if not exists (select 1 from pg_roles where rolname = '{{ role }}') then
                create role {{ role }} login nosuperuser nocreatedb nocreaterole noinherit;
            end if;
            alter role {{ role }} with login password '{{ password }}';
        end if;
    end
    $wattlake$
{%- endmacro %}

{#
    on-run-end: USAGE on the marts schema (dbt's `grants` only handle tables and views), and
    SELECT by default on tables created there later, so a new mart is readable at once.
#}
{% macro grant_reader_usage_on_marts() -%}
    {%- set role = var('reader_role') -%}
    do $wattlake$
    begin
        if exists (select 1 from pg_roles where rolname = '{{ role }}')
            and exists (select 1 from information_schema.schemata where schema_name = 'marts')
        then
            grant usage on schema marts to {{ role }};
            alter default privileges in schema marts grant select on tables to {{ role }};
        end if;
    end
    $wattlake$
{%- endmacro %}
