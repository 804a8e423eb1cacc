"""The raw file contract (docs/spec/raw_sources.md) as data.

Column types drive formatting: ``s`` text, ``i`` integer, ``m`` money (int
cents, 2 decimals), ``r`` rate (int millionths, 6 decimals), ``p`` percent
(int basis points: ``15`` or ``12.50``), ``d`` date, ``t`` timestamp (epoch
seconds, written with an offset), ``b`` boolean.

Each table also says how faults touch it: the key, a prefix for fresh keys,
the columns a late update may change, and the bad rows that exercise each
staging rule (docs/design.md) with exactly one broken value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

META = [("_loaded_at", "t"), ("_is_deleted", "b")]

BAD_DATE = "2025-02-30"
BAD_TS = "2025-02-30T10:00:00Z"
BAD_NUMBER = "n/a"


@dataclass(frozen=True)
class TableSpec:
    """One raw table: columns, key and fault recipes."""

    source: str
    name: str
    columns: list[tuple[str, str]]
    key: tuple[str, ...]
    prefix: str
    updatable: tuple[str, ...]
    bad: list[tuple] = field(default_factory=list)

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns] + [c for c, _ in META]

    @property
    def types(self) -> dict[str, str]:
        return dict(self.columns + META)

    def bad_rules(self) -> list[tuple[str, str, str | None, tuple[str, str] | None]]:
        """(reason, column, raw value, template filter) for every bad row kind of this table.

        The template filter ``(column, value)`` picks the real row a bad row is cloned
        from (an NPS score of 11 must sit on an ``nps`` response).
        """
        common = [("null_key", self.key[0], None), ("unparseable:_loaded_at", "_loaded_at", "yesterday")]
        return [r if len(r) == 4 else (*r, None) for r in common + self.bad]


def _unparseable(column: str, value: str) -> tuple[str, str, str]:
    return (f"unparseable:{column}", column, value)


def _unknown(column: str, value: str) -> tuple[str, str, str]:
    return (f"unknown_value:{column}", column, value)


def _out_of_range(column: str, value: str) -> tuple[str, str, str]:
    return (f"out_of_range:{column}", column, value)


TABLES: list[TableSpec] = [
    TableSpec(
        "crm", "accounts",
        [("account_id", "s"), ("account_name", "s"), ("industry", "s"), ("employee_count", "i"),
         ("country_code", "s"), ("owner_user_id", "s"), ("created_at", "t"), ("merged_into_account_id", "s")],
        ("account_id",), "ACC-Z", ("employee_count", "industry", "owner_user_id"),
        [_unparseable("employee_count", BAD_NUMBER), _unparseable("created_at", BAD_TS)],
    ),
    TableSpec(
        "crm", "users",
        [("user_id", "s"), ("full_name", "s"), ("email", "s"), ("role", "s"), ("is_active", "b")],
        ("user_id",), "USR-Z", ("is_active",),
        [_unknown("role", "intern")],
    ),
    TableSpec(
        "crm", "contacts",
        [("contact_id", "s"), ("account_id", "s"), ("email", "s"), ("full_name", "s"), ("title", "s"),
         ("created_at", "t")],
        ("contact_id",), "CON-Z", ("title",),
        [_unparseable("created_at", BAD_TS)],
    ),
    TableSpec(
        "crm", "activities",
        [("activity_id", "s"), ("account_id", "s"), ("contact_id", "s"), ("user_id", "s"),
         ("activity_type", "s"), ("occurred_at", "t"), ("subject", "s")],
        ("activity_id",), "ACT-Z", ("subject",),
        [_unknown("activity_type", "fax"), _unparseable("occurred_at", BAD_TS)],
    ),
    TableSpec(
        "crm", "opportunities",
        [("opportunity_id", "s"), ("account_id", "s"), ("opportunity_type", "s"), ("stage", "s"),
         ("amount", "m"), ("currency", "s"), ("close_date", "d"), ("loss_reason", "s")],
        ("opportunity_id",), "OPP-Z", ("amount", "close_date"),
        [_unknown("stage", "negotiation"), _unknown("opportunity_type", "renewal_plus"),
         _unparseable("amount", BAD_NUMBER), _unparseable("close_date", BAD_DATE)],
    ),
    TableSpec(
        "billing", "accounts",
        [("billing_account_id", "s"), ("crm_account_id", "s"), ("currency", "s"), ("created_at", "t")],
        ("billing_account_id",), "BA-Z", ("created_at",),
        [_unparseable("created_at", BAD_TS)],
    ),
    TableSpec(
        "billing", "products",
        [("product_id", "s"), ("product_name", "s"), ("product_line", "s")],
        ("product_id",), "PRD-Z", ("product_name",),
    ),
    TableSpec(
        "billing", "subscriptions",
        [("subscription_id", "s"), ("billing_account_id", "s"), ("status", "s"), ("started_on", "d"),
         ("canceled_on", "d"), ("cancel_reason", "s")],
        ("subscription_id",), "SUB-Z", ("status", "canceled_on", "cancel_reason"),
        [_unknown("status", "paused"), _unparseable("started_on", BAD_DATE),
         _unparseable("canceled_on", BAD_DATE)],
    ),
    TableSpec(
        "billing", "subscription_charges",
        [("charge_id", "s"), ("subscription_id", "s"), ("product_id", "s"), ("charge_type", "s"),
         ("billing_period", "s"), ("unit_price", "m"), ("quantity", "i"), ("discount_percent", "p"),
         ("effective_from", "d"), ("effective_to", "d"), ("is_trial", "b")],
        ("charge_id",), "CHG-Z", ("quantity", "unit_price", "discount_percent", "effective_to"),
        [_unknown("charge_type", "credit"), _unknown("billing_period", "week"),
         _unparseable("unit_price", BAD_NUMBER), _unparseable("quantity", BAD_NUMBER),
         _unparseable("effective_from", BAD_DATE),
         _out_of_range("discount_percent", "150"), _out_of_range("quantity", "-5"),
         _out_of_range("unit_price", "-10.00"),
         ("invalid_range:effective_to", "effective_to", None)],
    ),
    TableSpec(
        "billing", "invoices",
        [("invoice_id", "s"), ("billing_account_id", "s"), ("subscription_id", "s"), ("issued_on", "d"),
         ("due_on", "d"), ("subtotal", "m"), ("tax_amount", "m"), ("status", "s"), ("paid_at", "t")],
        ("invoice_id",), "INV-Z", ("status", "paid_at"),
        [_unknown("status", "draft"), _unparseable("subtotal", BAD_NUMBER),
         _unparseable("issued_on", BAD_DATE), _unparseable("paid_at", BAD_TS)],
    ),
    TableSpec(
        "billing", "payments",
        [("payment_id", "s"), ("invoice_id", "s"), ("attempted_at", "t"), ("amount", "m"),
         ("outcome", "s"), ("failure_code", "s")],
        ("payment_id",), "PAY-Z", ("attempted_at",),
        [_unknown("outcome", "pending"), _unparseable("amount", BAD_NUMBER),
         _unparseable("attempted_at", BAD_TS)],
    ),
    TableSpec(
        "billing", "exchange_rates",
        [("rate_date", "d"), ("currency", "s"), ("usd_per_unit", "r")],
        ("currency", "rate_date"), "", ("usd_per_unit",),
        [_unparseable("usd_per_unit", BAD_NUMBER), _out_of_range("usd_per_unit", "0.000000")],
    ),
    TableSpec(
        "support", "organizations",
        [("organization_id", "s"), ("crm_account_id", "s"), ("organization_name", "s")],
        ("organization_id",), "ORG-Z", ("organization_name",),
    ),
    TableSpec(
        "support", "tickets",
        [("ticket_id", "s"), ("organization_id", "s"), ("requester_email", "s"), ("channel", "s"),
         ("priority", "s"), ("status", "s"), ("subject", "s"), ("created_at", "t")],
        ("ticket_id",), "TKT-Z", ("status", "priority"),
        [_unknown("priority", "critical"), _unknown("status", "archived"), _unknown("channel", "fax"),
         _unparseable("created_at", BAD_TS)],
    ),
    TableSpec(
        "support", "ticket_events",
        [("event_id", "s"), ("ticket_id", "s"), ("created_at", "t"), ("actor_type", "s"),
         ("event_type", "s"), ("is_public", "b"), ("new_value", "s")],
        ("event_id",), "EVT-Z", ("created_at",),
        [_unknown("actor_type", "bot"), _unknown("event_type", "merge"), _unparseable("created_at", BAD_TS)],
    ),
    TableSpec(
        "support", "satisfaction_ratings",
        [("rating_id", "s"), ("ticket_id", "s"), ("score", "s"), ("comment", "s"), ("created_at", "t")],
        ("rating_id",), "RAT-Z", ("score", "comment"),
        [_unknown("score", "okay"), _unparseable("created_at", BAD_TS)],
    ),
    TableSpec(
        "survey", "responses",
        [("response_id", "s"), ("survey_id", "s"), ("survey_type", "s"), ("respondent_email", "s"),
         ("crm_account_id", "s"), ("score", "i"), ("comment", "s"), ("submitted_at", "t")],
        ("response_id",), "RSP-Z", ("score", "comment"),
        [_unknown("survey_type", "ces"), _unparseable("score", BAD_NUMBER),
         _unparseable("submitted_at", BAD_TS),
         ("out_of_range:score", "score", "11", ("survey_type", "nps")),
         ("out_of_range:score", "score", "0", ("survey_type", "csat"))],
    ),
    TableSpec(
        "product", "workspace_usage_daily",
        [("workspace_id", "s"), ("crm_account_id", "s"), ("usage_date", "d"), ("active_users", "i"),
         ("sessions", "i"), ("key_feature_events", "i")],
        ("workspace_id", "usage_date"), "WS-Z", ("sessions", "key_feature_events"),
        [_unparseable("active_users", BAD_NUMBER)],
    ),
]

SPECS: dict[tuple[str, str], TableSpec] = {(t.source, t.name): t for t in TABLES}

# Final extract hour (UTC, on the as-of day) per source. Billing at 23:00 sets the default as-of date.
EXTRACT_HOUR = {"crm": 22, "billing": 23, "support": 22, "survey": 21, "product": 23}
