{#-
    on-run-start: a build that leaves out a model or seed (a selection, or `make transform`'s
    `new_data` selector, selectors.yml) relies on its table being there. Stop at once, naming
    it and the fix, when a selected node reads one that does not exist (the warehouse was reset
    or replaced since the build the selection compared against), instead of failing later in
    the middle of the build.
-#}
{% macro check_skipped_parents() -%}
    {%- if execute -%}
        {%- for unique_id in selected_resources | sort if unique_id in graph.nodes
            and graph.nodes[unique_id].resource_type != 'unit_test' -%}
            {%- set node = graph.nodes[unique_id] -%}
            {%- for parent_id in node.depends_on.nodes
                if parent_id in graph.nodes and parent_id not in selected_resources -%}
                {%- set parent = graph.nodes[parent_id] -%}
                {%- if parent.resource_type in ('model', 'seed')
                    and parent.config.materialized != 'ephemeral'
                    and adapter.get_relation(parent.database, parent.schema, parent.alias) is none -%}
                    {{ exceptions.raise_compiler_error(
                        node.name ~ " reads " ~ parent.schema ~ "." ~ parent.alias ~ ", which this"
                        ~ " build leaves out and which does not exist: build everything once with"
                        ~ " `make transform FULL=1` (or a plain `dbt build`).") }}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
