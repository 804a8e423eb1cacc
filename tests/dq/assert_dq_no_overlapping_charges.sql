-- Overlapping recurring charges of one product on one subscription (dq_overlapping_charges): a
-- warning naming the pairs, never a failure (the spec allows them; MRR counts both).
{{ config(severity='warn') }}

select
    subscription_id,
    product_id,
    charge_id,
    overlapping_charge_id,
    overlap_from_date,
    overlap_to_date
from {{ ref('dq_overlapping_charges') }}
