{#-
    The GRR cap, spelled once (metrics.md "Rates and retention": GRR caps each customer at its
    base, sum(min(MRR_M, base)) / sum(base)): a customer's MRR now, counted at most up to its
    base MRR (both in cents at the same rates, neither NULL). For the 12-month GRR of
    agg_retention_monthly (base: MRR in M-12) and the cohort GRR of agg_retention_cohorts
    (base: the first month's MRR). Plain CASE: the same on every engine.
-#}
{% macro csw_grr_capped(mrr, base) -%}
    case
        when {{ mrr }} < {{ base }} then {{ mrr }}
        else {{ base }}
    end
{%- endmacro %}
