{#-
    The earlier of two exclusive end dates where NULL means open (no end): NULL only when
    both are NULL. The one spelling of a charge's service end,
    least(effective_to, canceled_on) with NULL = open (docs/design.md, "Month membership"),
    used wherever a charge's service end or the end of an overlap of two service periods
    is derived (int_charge_segments, int_trials__conversion, dq_overlapping_charges).
-#}
{% macro csw_earlier_end_date(first_end, second_end) -%}
    case
        when {{ first_end }} is null then {{ second_end }}
        when {{ second_end }} is null then {{ first_end }}
        when {{ first_end }} <= {{ second_end }} then {{ first_end }}
        else {{ second_end }}
    end
{%- endmacro %}
