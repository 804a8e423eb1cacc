{#-
    round_half_up(n / d) for n >= 0, d > 0, by quotient and remainder: a second
    technique, independent of csw_div_round_half_up, for tests that recompute a
    mart's numbers another way (tests/assert_fct_mrr_as_of_month_matches_staging.sql).
-#}
{% macro csw_round_half_up_by_remainder(n, d) -%}
    (
        cast((({{ n }}) - ({{ n }}) % ({{ d }})) / ({{ d }}) as bigint)
        + case when 2 * (({{ n }}) % ({{ d }})) >= ({{ d }}) then 1 else 0 end
    )
{%- endmacro %}
