-- Every raw row has exactly one status: raw = staged + quarantined + superseded + deleted.

select *
from {{ ref('dq_row_reconciliation') }}
where raw_rows <> staged_rows + quarantined_rows + superseded_rows + deleted_rows
