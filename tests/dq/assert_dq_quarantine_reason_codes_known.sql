-- Every quarantine reason is one of the documented codes (docs/design.md, "Reason codes").

select
    source_name,
    table_name,
    record_key,
    reason,
    source_file,
    source_row_number
from {{ ref('dq_quarantine') }}
where not (
    reason = 'null_key'
    or reason = 'invalid_range:effective_to'
    or reason in ('orphan:subscription_id', 'orphan:billing_account_id')
    or {{ csw_regex_full_match(
        'reason', '(unparseable|null_required|unknown_value|out_of_range):[a-z_]+'
    ) }}
)
