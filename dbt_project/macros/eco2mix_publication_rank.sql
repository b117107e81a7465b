{#-
    Quality rank of an éCO2mix publication: the same timestamp is re-published as real-time,
    then consolidated, then definitive data. Higher is better; unknown labels rank last.
-#}
{% macro eco2mix_publication_rank(nature_column) -%}
    case {{ nature_column }}
        when 'Données définitives' then 3
        when 'Données consolidées' then 2
        when 'Données temps réel' then 1
        else 0
    end
{%- endmacro %}
