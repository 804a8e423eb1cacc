-- Every raw row has exactly one status: raw = staged + quarantined + superseded + deleted.

select
    source_name,
    table_name,
    raw_rows,
    staged_rows,
    quarantined_rows,
    superseded_rows,
    deleted_rows
from {{ ref('dq_row_reconciliation') }}
where raw_rows <> staged_rows + quarantined_rows + superseded_rows + deleted_rows
