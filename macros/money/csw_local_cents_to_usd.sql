{#-
    Local-currency cents -> USD cents at a rate of USD per unit scaled by 10^8
    (int_fx_rates__monthly.usd_per_unit_e8), rounded half away from zero by
    integer arithmetic: the one conversion every model that restates money uses
    (MRR at the month's rate, M-1 restated at M's rates, 12-month bases, churned
    MRR, invoices for LTV). Never a float.
-#}
{% macro csw_local_cents_to_usd(local_cents, usd_per_unit_e8) -%}
    {{ csw_div_round_half_up(
        'cast(' ~ local_cents ~ ' as decimal(38, 0)) * ' ~ usd_per_unit_e8, '100000000'
    ) }}
{%- endmacro %}
