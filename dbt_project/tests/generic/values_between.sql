{#-
    Fails on every row where a column lies outside its physical range, and names the columns.
    `columns` maps each column to its bounds: `{min_value: .., max_value: .., inclusive: ..}`;
    either bound may be left out, bounds are inclusive unless `inclusive: false`, and nulls pass
    (not-null is a constraint or a `not_null` test). One test per model, one scan of it: each
    test node costs dbt ~0.1 s of its own, more than such a query on an incremental window, so a
    test per column would make an incremental build mostly test overhead.
-#}
{% test values_between(model, columns) %}

{%- set checks = [] -%}
{%- for column_name, bounds in columns.items() -%}
    {%- set inclusive = bounds.get('inclusive', true) -%}
    {%- set conditions = [] -%}
    {%- if bounds.get('min_value') is not none -%}
        {%- do conditions.append(column_name ~ (' >= ' if inclusive else ' > ') ~ bounds['min_value']) -%}
    {%- endif -%}
    {%- if bounds.get('max_value') is not none -%}
        {%- do conditions.append(column_name ~ (' <= ' if inclusive else ' < ') ~ bounds['max_value']) -%}
    {%- endif -%}
    {%- if not conditions -%}
        {{ exceptions.raise_compiler_error("values_between on " ~ column_name ~ ": give min_value, max_value or both") }}
    {%- endif -%}
    {%- do checks.append(
        "case when not (" ~ conditions | join(' and ') ~ ") then '" ~ column_name ~ " = ' || "
        ~ column_name ~ " end"
    ) -%}
{%- endfor %}

with

checked as (
    select
        concat_ws(
            ', ',
            {{ checks | join(',\n            ') }}
        ) as out_of_range
    from {{ model }}
),

final as (
    select * from checked
    where out_of_range != ''
)

select * from final

{% endtest %}
