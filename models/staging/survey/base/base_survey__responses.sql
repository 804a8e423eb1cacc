-- Typed, checked and deduplicated survey.responses: one row per raw row with its _dq_status
-- (docs/design.md, "Staging rules"). Key: response_id.
-- Incremental: builds the keys of raw files not built yet (macros/incremental/csw_incremental.sql).

{{ csw_base_model(
    ('survey', 'responses'), key=['response_id'], incremental=true,
    columns=[
        ('response_id', 'text'), ('survey_id', 'text'), ('survey_type', 'text'),
        ('respondent_email', 'email'), ('crm_account_id', 'text'), ('score', 'integer'),
        ('comment', 'text'), ('submitted_at', 'timestamp'),
    ],
    required=['survey_type', 'score', 'submitted_at'],
    rules=[
        csw_rule_accepted('survey_type', ['nps', 'csat']),
        ('score is null', 'out_of_range:score'),
        ("survey_type = 'nps' and score not between 0 and 10", 'out_of_range:score'),
        ("survey_type = 'csat' and score not between 1 and 5", 'out_of_range:score'),
    ],
) }}
