"""Fault matrix: one raw-file fault per case, each with its expected outcome (docs/guarantees.md).

A small clean world (60 accounts x 6 months, no faults) is generated and built once per session
(_faults.clean_world, shared with the idempotency and security tests). Each case copies that raw directory and database, applies one fault and re-runs
only what the fault touches: the base model of the table, the dq marts, and the MRR marts where a
mart must be shown unchanged (or changed as expected). Every run uses the same paths so dbt's
partial parse is reused. The outcome is one of

- a failed run whose message names the file / column / value;
- quarantine with its reason, reconciliation deltas versus the clean build
  (raw = staged + quarantined + superseded + deleted, per table) and the marts unchanged;
- a history change (late extract, soft delete) that changes exactly the affected mart rows.

Over 400 lines on purpose: the matrix is one table of cases (fault, expected outcome) and the
few helpers that apply and check them; split, a reader would look for a case in several files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Callable

import duckdb
import pytest

from _faults import (
    SALT, Clean, Workspace, append_rows, clean_world, query, read_rows, set_values, table_digest, write_rows,
)

CHARGES = ("billing", "subscription_charges")
FINAL_LOADED_AT = "2026-06-30T23:00:00Z"  # the generator's final extract (= as-of date)
MRR_MARTS = ("fct_mrr", "fct_mrr_movements")


def reconciliation(db_path: Path) -> dict[tuple[str, str], tuple[int, ...]]:
    rows = query(db_path, "select source_name, table_name, raw_rows, staged_rows, quarantined_rows,"
                          " superseded_rows, deleted_rows from marts.dq_row_reconciliation")
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Workspace, Clean]:
    return clean_world(tmp_path_factory)


# --- selections --------------------------------------------------------------------------------


def dq_selection(source: str, table: str, marts: bool = False) -> list[str]:
    base = f"base_{source}__{table}"
    selection = ["run", "--select", base, "dq_quarantine", "dq_row_reconciliation"]
    if marts:
        selection += [f"{base}+,+{m}" for m in MRR_MARTS]
    return selection


# --- rows of the clean world ---------------------------------------------------------------------


def single_segment_charge(clean: Clean) -> tuple[str, str, str]:
    """A USD monthly, undiscounted charge that is the only segment of its (customer, product)."""
    return query(clean.db_path, """
        select charge_id, customer_id, product_id
        from intermediate.int_charge_segments as s
        where currency = 'USD' and billing_period = 'month' and discount_percent = 0 and is_counted
          and (select count(*) from intermediate.int_charge_segments as t
               where t.customer_id = s.customer_id and t.product_id = s.product_id) = 1
        order by charge_id limit 1
    """)[0]


def raw_row(raw_dir: Path, source: str, table: str, column: str, value: str) -> dict[str, str]:
    _, rows = read_rows(raw_dir / source / f"{table}.csv")
    return next(dict(r) for r in rows if r[column] == value)


def fresh_charge(raw_dir: Path, **changes: str) -> dict[str, str]:
    """A copy of the first charge under a new key (it does not change any mart when quarantined)."""
    _, rows = read_rows(raw_dir / "billing" / "subscription_charges.csv")
    row = dict(rows[0])
    row["charge_id"] = "CHG-FAULT-1"
    row.update(changes)
    return row


def mrr_rows(db_path: Path, customer_id: str, product_id: str) -> dict:
    return dict(query(db_path, "select month, mrr_usd from marts.fct_mrr where customer_id = ? and product_id = ?",
                      [customer_id, product_id]))


def others(customer_id: str, product_id: str) -> str:
    return f"not (customer_id = '{customer_id}' and product_id = '{product_id}')"


# --- assertions --------------------------------------------------------------------------------


def assert_reconciles(db_path: Path) -> None:
    for key, (raw, *parts) in reconciliation(db_path).items():
        assert raw == sum(parts), f"{key}: raw {raw} != staged+quarantined+superseded+deleted {parts}"


def assert_delta(clean: Clean, db_path: Path, table: tuple[str, str], delta: tuple[int, ...]) -> None:
    """Counts of `table` moved by exactly `delta` (raw, staged, quarantined, superseded, deleted) versus clean;
    every other table unchanged; every table reconciles."""
    before, after = reconciliation(clean.db_path), reconciliation(db_path)
    for key in before:
        expected = tuple(b + d for b, d in zip(before[key], delta)) if key == table else before[key]
        assert after[key] == expected, f"{key}: {after[key]} != {expected} (clean {before[key]})"
    assert_reconciles(db_path)


def assert_quarantined(db_path: Path, table: tuple[str, str], expected: set[tuple[str, str]]) -> None:
    rows = set(query(db_path, "select record_key, reason from marts.dq_quarantine"
                              " where source_name = ? and table_name = ?", list(table)))
    assert rows == expected


def assert_marts_unchanged(clean: Clean, db_path: Path) -> None:
    for mart in MRR_MARTS:
        assert table_digest(db_path, f"marts.{mart}") == table_digest(clean.db_path, f"marts.{mart}"), mart


def run_ok(ws: Workspace, *args: str):
    result = ws.dbt(*args)
    assert result.success, result.text
    return result


# --- the cases -----------------------------------------------------------------------------------
# Each takes (workspace prepared as a copy of the clean world, clean) and asserts its outcome.


def case_duplicate_extract(ws: Workspace, clean: Clean):
    """The whole charges extract delivered twice: every copy is superseded, marts unchanged."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    header, rows = read_rows(path)
    write_rows(path, header, rows + rows)
    run_ok(ws, *dq_selection(*CHARGES, marts=True))
    assert_delta(clean, ws.db_path, CHARGES, (len(rows), 0, 0, len(rows), 0))
    assert_marts_unchanged(clean, ws.db_path)


def case_late_extract_changes_history(ws: Workspace, clean: Clean):
    """A later extract doubles the seats of a segment: latest wins, and its MRR doubles in every month."""
    charge_id, customer_id, product_id = single_segment_charge(clean)
    row = raw_row(ws.raw_dir, *CHARGES, "charge_id", charge_id)
    row.update(quantity=str(int(row["quantity"]) * 2), _loaded_at=FINAL_LOADED_AT)
    append_rows(ws.raw_dir / "billing" / "subscription_charges.csv", [row])
    run_ok(ws, *dq_selection(*CHARGES, marts=True))
    assert_delta(clean, ws.db_path, CHARGES, (1, 0, 0, 1, 0))
    before = mrr_rows(clean.db_path, customer_id, product_id)
    assert before and mrr_rows(ws.db_path, customer_id, product_id) == {m: 2 * v for m, v in before.items()}
    where = others(customer_id, product_id)
    assert table_digest(ws.db_path, "marts.fct_mrr", where) == table_digest(clean.db_path, "marts.fct_mrr", where)


def case_soft_delete(ws: Workspace, clean: Clean):
    """A later extract marks a segment deleted: it is counted as deleted and leaves MRR."""
    charge_id, customer_id, product_id = single_segment_charge(clean)
    row = raw_row(ws.raw_dir, *CHARGES, "charge_id", charge_id)
    row.update(_is_deleted="true", _loaded_at=FINAL_LOADED_AT)
    append_rows(ws.raw_dir / "billing" / "subscription_charges.csv", [row])
    run_ok(ws, *dq_selection(*CHARGES, marts=True))
    assert_delta(clean, ws.db_path, CHARGES, (1, -1, 0, 1, 1))
    assert mrr_rows(clean.db_path, customer_id, product_id)
    assert mrr_rows(ws.db_path, customer_id, product_id) == {}
    where = others(customer_id, product_id)
    assert table_digest(ws.db_path, "marts.fct_mrr", where) == table_digest(clean.db_path, "marts.fct_mrr", where)


def case_missing_file(ws: Workspace, clean: Clean):
    path = ws.raw_dir / "billing" / "invoices.csv"
    path.unlink()
    result = ws.dbt(*dq_selection("billing", "invoices"))
    assert not result.success
    assert f"Raw file {path} is missing" in result.text


def case_missing_column(ws: Workspace, clean: Clean):
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    header, rows = read_rows(path)
    header.remove("quantity")
    write_rows(path, header, [{k: v for k, v in r.items() if k != "quantity"} for r in rows])
    result = ws.dbt(*dq_selection(*CHARGES))
    assert not result.success
    assert f"Raw file {path} is missing required column 'quantity'" in result.text


def case_extra_column(ws: Workspace, clean: Clean):
    """Schema drift: a new column builds, with a warning naming it; nothing else changes."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    header, rows = read_rows(path)
    write_rows(path, header + ["_fivetran_synced"], [{**r, "_fivetran_synced": "2026-07-01"} for r in rows])
    result = run_ok(ws, *dq_selection(*CHARGES, marts=True))
    assert f"Raw file {path} has extra columns, ignored: _fivetran_synced" in result.text
    assert_delta(clean, ws.db_path, CHARGES, (0, 0, 0, 0, 0))
    assert_marts_unchanged(clean, ws.db_path)


def case_columns_reordered(ws: Workspace, clean: Clean):
    """Columns are selected by name: the base table is identical to the clean one."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    header, rows = read_rows(path)
    write_rows(path, list(reversed(header)), rows)
    run_ok(ws, *dq_selection(*CHARGES))
    relation = "staging.base_billing__subscription_charges"
    assert table_digest(ws.db_path, relation) == table_digest(clean.db_path, relation)


def case_bom_and_crlf(ws: Workspace, clean: Clean):
    """A UTF-8 byte-order mark and CRLF line endings: read exactly as the clean file."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    run_ok(ws, *dq_selection(*CHARGES))
    relation = "staging.base_billing__subscription_charges"
    assert table_digest(ws.db_path, relation) == table_digest(clean.db_path, relation)


def case_timestamp_offsets(ws: Workspace, clean: Clean):
    """An offset is honoured and converted to UTC; no offset is read as UTC."""
    path = ws.raw_dir / "crm" / "activities.csv"
    header, rows = read_rows(path)
    cases = {
        "2026-01-10T08:00:00+09:00": dt.datetime(2026, 1, 9, 23, 0),
        "2026-01-10T08:00:00": dt.datetime(2026, 1, 10, 8, 0),
        "2026-01-10 08:00:00-05:30": dt.datetime(2026, 1, 10, 13, 30),
        "2026-01-10T08:00:00Z": dt.datetime(2026, 1, 10, 8, 0),
    }
    expected = {}
    for row, (text, utc) in zip(rows, cases.items()):
        row["occurred_at"] = text
        expected[row["activity_id"]] = utc
    write_rows(path, header, rows)
    run_ok(ws, *dq_selection("crm", "activities"))
    got = {activity_id: query(ws.db_path, "select occurred_at from staging.stg_crm__activities"
                                          " where activity_id = ?", [activity_id])[0][0]
           for activity_id in expected}
    assert got == expected
    assert_delta(clean, ws.db_path, ("crm", "activities"), (0, 0, 0, 0, 0))


def _quarantine_case(change: dict[str, str], reason: str, record_key: str = "CHG-FAULT-1"):
    def case(ws: Workspace, clean: Clean):
        append_rows(ws.raw_dir / "billing" / "subscription_charges.csv", [fresh_charge(ws.raw_dir, **change)])
        run_ok(ws, *dq_selection(*CHARGES, marts=True))
        assert_quarantined(ws.db_path, CHARGES, {(record_key, reason)})
        assert_delta(clean, ws.db_path, CHARGES, (1, 0, 1, 0, 0))
        assert_marts_unchanged(clean, ws.db_path)
    case.__doc__ = f"A new charge with {change}: quarantined as {reason}, marts unchanged."
    return case


case_unparseable_date = _quarantine_case({"effective_from": "2026-02-30"}, "unparseable:effective_from")
case_unknown_enum = _quarantine_case({"billing_period": "fortnight"}, "unknown_value:billing_period")
case_orphan_charge = _quarantine_case({"subscription_id": "SUB-DOES-NOT-EXIST"}, "orphan:subscription_id")
case_negative_quantity = _quarantine_case({"quantity": "-3"}, "out_of_range:quantity")
case_discount_above_100 = _quarantine_case({"discount_percent": "100.01"}, "out_of_range:discount_percent")
case_effective_to_before_from = _quarantine_case(
    {"effective_from": "2026-03-01", "effective_to": "2026-02-28"}, "invalid_range:effective_to")
case_null_key = _quarantine_case({"charge_id": "  "}, "null_key", record_key="")
case_amount_beyond_type = _quarantine_case({"unit_price": "100000000000000.00"}, "unparseable:unit_price")


# Required columns: a blank value a rule downstream needs is quarantined naming the column (issue 20),
# never staged as NULL (a NULL is_trial or effective_from made a live charge vanish from MRR; a NULL
# quantity, unit_price or discount_percent failed a not_null test of int_charge_segments).
case_blank_is_trial = _quarantine_case({"is_trial": ""}, "null_required:is_trial")
case_blank_effective_from = _quarantine_case({"effective_from": " "}, "null_required:effective_from")
case_blank_quantity = _quarantine_case({"quantity": ""}, "null_required:quantity")
case_blank_unit_price = _quarantine_case({"unit_price": ""}, "null_required:unit_price")
case_blank_discount_percent = _quarantine_case({"discount_percent": ""}, "null_required:discount_percent")
case_blank_charge_type = _quarantine_case({"charge_type": ""}, "null_required:charge_type")
# Implausible dates: year 0000 (1 BC on DuckDB, an error on PostgreSQL) and beyond 2200.
case_date_year_zero = _quarantine_case({"effective_from": "0000-01-01"}, "out_of_range:effective_from")
case_date_year_2999 = _quarantine_case({"effective_to": "2999-12-31"}, "out_of_range:effective_to")
case_loaded_at_year_zero = _quarantine_case({"_loaded_at": "0000-01-01T00:00:00Z"}, "out_of_range:_loaded_at")
# _loaded_at after the start of the run (plus 60 minutes): an extract cannot come from the future.
case_future_loaded_at_new_row = _quarantine_case({"_loaded_at": "2099-01-01T00:00:00Z"}, "out_of_range:_loaded_at")


def case_future_loaded_at_moves_nothing(ws: Workspace, clean: Clean):
    """A later version of a live charge stamped 2099: quarantined out_of_range:_loaded_at, the earlier
    version stays staged, the default as-of date and the MRR marts are unchanged (it moved the as-of
    date to 2099 and MRR 130-fold before)."""
    charge_id, _, _ = single_segment_charge(clean)
    row = raw_row(ws.raw_dir, *CHARGES, "charge_id", charge_id)
    row.update(quantity=str(int(row["quantity"]) * 2), _loaded_at="2099-01-01T00:00:00Z")
    append_rows(ws.raw_dir / "billing" / "subscription_charges.csv", [row])
    run_ok(ws, *dq_selection(*CHARGES, marts=True))
    assert_quarantined(ws.db_path, CHARGES, {(charge_id, "out_of_range:_loaded_at")})
    assert_delta(clean, ws.db_path, CHARGES, (1, 0, 1, 0, 0))
    as_of = "select as_of_date from intermediate.int_as_of"
    assert query(ws.db_path, as_of) == query(clean.db_path, as_of)
    assert_marts_unchanged(clean, ws.db_path)


def _activity_case(occurred_at: str, reason: str):
    def case(ws: Workspace, clean: Clean):
        path = ws.raw_dir / "crm" / "activities.csv"
        header, rows = read_rows(path)
        row = {**rows[0], "activity_id": "ACT-FAULT-1", "occurred_at": occurred_at, "_loaded_at": FINAL_LOADED_AT}
        write_rows(path, header, rows + [row])
        run_ok(ws, *dq_selection("crm", "activities"))
        assert_quarantined(ws.db_path, ("crm", "activities"), {("ACT-FAULT-1", reason)})
        assert_delta(clean, ws.db_path, ("crm", "activities"), (1, 0, 1, 0, 0))
    case.__doc__ = f"An activity at {occurred_at!r}: quarantined as {reason} on every engine."
    return case


case_offset_beyond_14_hours = _activity_case("2026-01-10T08:00:00+25:00", "out_of_range:occurred_at")
case_offset_minutes_99 = _activity_case("2026-01-10T08:00:00+99:99", "out_of_range:occurred_at")
case_timestamp_year_zero = _activity_case("0000-01-01T00:00:00Z", "out_of_range:occurred_at")
case_blank_occurred_at = _activity_case("", "null_required:occurred_at")


# Implausible dates and timestamps, in every date/timestamp column of every raw table (issue 20): years
# outside 1900-2200 and UTC offsets beyond +-14:00 are `out_of_range:<column>`, decided on the text the
# same way on every engine (macro csw_implausible_datetime; DuckDB read 0000-01-01 as 1 BC, PostgreSQL
# refuses it). A key column (exchange_rates.rate_date, workspace_usage_daily.usage_date) and
# `_loaded_at` included: they block dedupe, and said `unparseable:` before.
IMPLAUSIBLE_DATES = ("0000-01-01", "0001-01-01", "1899-12-31", "2201-01-01")
IMPLAUSIBLE_TIMESTAMPS = (
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z",
    "2026-01-10T08:00:00+25:00", "2026-01-10T08:00:00+99:99", "2026-01-10T08:00:00+14:01",
    "2026-01-10T08:00:00-14:01",
)


def _usage_template(raw_dir: Path) -> dict[str, str]:
    """The clean world has no product source: one plausible usage row to derive faulty ones from."""
    _, accounts = read_rows(raw_dir / "crm" / "accounts.csv")
    return {"workspace_id": "WS-TEMPLATE", "crm_account_id": accounts[0]["account_id"], "usage_date": "2026-06-01",
            "active_users": "3", "sessions": "10", "key_feature_events": "2", "_loaded_at": FINAL_LOADED_AT,
            "_is_deleted": "false"}


def case_implausible_datetimes_in_every_column(ws: Workspace, clean: Clean):
    """Every date and timestamp column of every raw table (the generator's raw contract, incl. _loaded_at
    and the date keys), each implausible year and offset in turn, on a new row: each row quarantined
    `out_of_range:<column>`, the counts reconcile, the as-of date is unchanged."""
    from csw.generator.schema import TABLES

    expected: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for spec in TABLES:
        path = ws.raw_dir / spec.source / f"{spec.name}.csv"
        if path.exists():
            _, rows = read_rows(path)
            template = next(r for r in rows if r["_is_deleted"] != "true")
        else:
            template = _usage_template(ws.raw_dir)
            path.parent.mkdir(exist_ok=True)
            write_rows(path, spec.column_names, [])
        text_key = next(k for k in spec.key if spec.types[k] == "s")
        new_rows, reasons = [], set()
        for column, kind in spec.columns + [("_loaded_at", "t")]:
            for value in {"d": IMPLAUSIBLE_DATES, "t": IMPLAUSIBLE_TIMESTAMPS}.get(kind, ()):
                row = {**template, "_loaded_at": FINAL_LOADED_AT, text_key: f"Z-FAULT-{len(new_rows)}",
                       column: value}
                new_rows.append(row)
                reasons.add(("|".join(row[k] for k in spec.key), f"out_of_range:{column}"))
        append_rows(path, new_rows)
        expected[(spec.source, spec.name)] = reasons
    assert sum(map(len, expected.values())) > 100  # every table has _loaded_at; most have more
    run_ok(ws, "run", "--select", "staging", "dq_quarantine", "dq_row_reconciliation", "int_as_of")
    before, after = reconciliation(clean.db_path), reconciliation(ws.db_path)
    for table, reasons in expected.items():
        assert_quarantined(ws.db_path, table, reasons)
        assert after[table] == tuple(b + d for b, d in zip(before[table], (len(reasons), 0, len(reasons), 0, 0)))
    assert_reconciles(ws.db_path)
    as_of = "select as_of_date from intermediate.int_as_of"
    assert query(ws.db_path, as_of) == query(clean.db_path, as_of)



def case_orphan_subscription(ws: Workspace, clean: Clean):
    """A new subscription on an unknown billing account, with a charge: the subscription is quarantined
    orphan:billing_account_id and its charge orphan:subscription_id (visible, not dropped); marts unchanged."""
    _, subs = read_rows(ws.raw_dir / "billing" / "subscriptions.csv")
    sub = {**subs[0], "subscription_id": "SUB-FAULT-1", "billing_account_id": "BA-DOES-NOT-EXIST"}
    append_rows(ws.raw_dir / "billing" / "subscriptions.csv", [sub])
    append_rows(ws.raw_dir / "billing" / "subscription_charges.csv",
                [fresh_charge(ws.raw_dir, subscription_id="SUB-FAULT-1")])
    run_ok(ws, "run", "--select", "base_billing__subscriptions", "stg_billing__subscriptions",
           "base_billing__subscription_charges", "dq_quarantine", "dq_row_reconciliation",
           *(f"base_billing__subscriptions+,+{m}" for m in MRR_MARTS))
    assert_quarantined(ws.db_path, ("billing", "subscriptions"), {("SUB-FAULT-1", "orphan:billing_account_id")})
    assert_quarantined(ws.db_path, CHARGES, {("CHG-FAULT-1", "orphan:subscription_id")})
    before, after = reconciliation(clean.db_path), reconciliation(ws.db_path)
    for table in (("billing", "subscriptions"), CHARGES):
        assert after[table] == tuple(b + d for b, d in zip(before[table], (1, 0, 1, 0, 0)))
    assert_reconciles(ws.db_path)
    assert_marts_unchanged(clean, ws.db_path)


def case_unparseable_values_drift(ws: Workspace, clean: Clean):
    """Schema drift: quantity of an existing segment becomes 'ten': quarantined, never a NULL in marts."""
    charge_id, customer_id, product_id = single_segment_charge(clean)
    set_values(ws.raw_dir / "billing" / "subscription_charges.csv", "charge_id", charge_id, quantity="ten")
    run_ok(ws, *dq_selection(*CHARGES, marts=True))
    assert_quarantined(ws.db_path, CHARGES, {(charge_id, "unparseable:quantity")})
    assert_delta(clean, ws.db_path, CHARGES, (0, -1, 1, 0, 0))
    assert query(ws.db_path, "select count(*) from staging.stg_billing__subscription_charges"
                             " where quantity is null") == [(0,)]
    assert query(ws.db_path, "select count(*) from marts.fct_mrr where mrr_usd is null or quantity is null") == [(0,)]
    assert mrr_rows(ws.db_path, customer_id, product_id) == {}


def _currency_case(code: str):
    def case(ws: Workspace, clean: Clean):
        _, customer_id, _ = single_segment_charge(clean)
        set_values(ws.raw_dir / "billing" / "accounts.csv", "crm_account_id", customer_id, currency=code)
        result = ws.dbt(*dq_selection("billing", "accounts", marts=True))
        assert not result.success
        assert f"missing FX rate for currency {code}" in result.text
    case.__doc__ = f"A billing account in currency {code!r} (no exchange rate): the MRR build fails naming it."
    return case


case_unknown_currency = _currency_case("XYZ")
case_currency_not_three_letters = _currency_case("US")


def _large_amount_case(quantity: int | None):
    def case(ws: Workspace, clean: Clean):
        charge_id, customer_id, product_id = single_segment_charge(clean)
        path = ws.raw_dir / "billing" / "subscription_charges.csv"
        header, rows = read_rows(path)
        price = Decimal("99999999999999.99")
        for row in rows:
            if row["charge_id"] == charge_id:
                row["unit_price"] = str(price)
                row["quantity"] = str(quantity or row["quantity"])
                seats = int(row["quantity"])
        write_rows(path, header, rows)
        result = ws.dbt(*dq_selection(*CHARGES, marts=True))
        expected = (price * seats).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if quantity is None:  # the clean quantity: fits fct_mrr.mrr_usd decimal(18,2), must be exact
            assert expected < Decimal("1e16")
            assert result.success, result.text
            got = mrr_rows(ws.db_path, customer_id, product_id)
            assert got and set(got.values()) == {expected}
        else:  # beyond what the MRR arithmetic holds: the build fails loudly, never wraps or rounds
            assert expected >= Decimal("1e16")
            assert not result.success
            assert "int_charge_segments" in result.text and "out of range" in result.text
    case.__doc__ = (f"unit_price 99999999999999.99 (largest decimal(18,4) value at 2 decimals) x "
                    f"{quantity or 'its'} seats: " + ("exact to the cent in MRR." if quantity is None else
                                                      "the MRR build fails with an out-of-range error."))
    return case


case_very_large_amount = _large_amount_case(None)
case_very_large_amount_overflow = _large_amount_case(1000)


def case_empty_table(ws: Workspace, clean: Clean):
    """A header-only file loads as an empty table and builds; its counts are all zero."""
    path = ws.raw_dir / "support" / "satisfaction_ratings.csv"
    header, _ = read_rows(path)
    write_rows(path, header, [])
    run_ok(ws, *dq_selection("support", "satisfaction_ratings"))
    assert reconciliation(ws.db_path)[("support", "satisfaction_ratings")] == (0, 0, 0, 0, 0)
    assert_reconciles(ws.db_path)


def case_quotes_in_names_and_values(ws: Workspace, clean: Clean):
    """A column name and values with quotes and SQL: loaded as data, never interpolated."""
    path = ws.raw_dir / "crm" / "accounts.csv"
    header, rows = read_rows(path)
    evil_column = "x\"y'z); drop table raw.crm__users; --"
    evil_value = "O'Brien \"Bob\"'); drop table raw.crm__users; --"
    rows[0]["account_name"] = evil_value
    write_rows(path, header + [evil_column], [{**r, evil_column: "'\""} for r in rows])
    result = run_ok(ws, *dq_selection("crm", "accounts"))
    assert f"has extra columns, ignored: {evil_column}" in result.text
    assert query(ws.db_path, "select account_name from staging.stg_crm__accounts where account_id = ?",
                 [rows[0]["account_id"]]) == [(evil_value,)]
    assert query(ws.db_path, "select count(*) from raw.crm__users")[0][0] > 0
    assert_delta(clean, ws.db_path, ("crm", "accounts"), (0, 0, 0, 0, 0))




def case_overlapping_charges(ws: Workspace, clean: Clean):
    """A second charge of the same product on the same subscription over the same period: both count
    (the spec allows it), the pair is flagged in dq_overlapping_charges and its test warns."""
    charge_id, customer_id, product_id = single_segment_charge(clean)
    row = raw_row(ws.raw_dir, *CHARGES, "charge_id", charge_id)
    append_rows(ws.raw_dir / "billing" / "subscription_charges.csv", [{**row, "charge_id": "CHG-ZZ-OVERLAP"}])
    run_ok(ws, *dq_selection(*CHARGES, marts=True), "dq_overlapping_charges")
    assert query(ws.db_path, "select charge_id, overlapping_charge_id from marts.dq_overlapping_charges") \
        == [(charge_id, "CHG-ZZ-OVERLAP")]
    before = mrr_rows(clean.db_path, customer_id, product_id)
    assert before and mrr_rows(ws.db_path, customer_id, product_id) == {m: 2 * v for m, v in before.items()}
    result = ws.dbt("test", "--select", "assert_dq_no_overlapping_charges")
    assert result.success, result.text
    assert [n.status for n in result.nodes] == ["warn"]
    assert_delta(clean, ws.db_path, CHARGES, (1, 1, 0, 0, 0))


def case_crm_id_collides_with_billing_customer_id(ws: Workspace, clean: Clean):
    """A CRM account whose id is `billing:<id>` of an unmatched billing account: the build stops naming
    the id (it failed unique_dim_customers_customer_id without it)."""
    path = ws.raw_dir / "billing" / "accounts.csv"
    header, rows = read_rows(path)
    rows[0]["crm_account_id"] = ""
    billing_account_id = rows[0]["billing_account_id"]
    write_rows(path, header, rows)
    crm_path = ws.raw_dir / "crm" / "accounts.csv"
    header, crm_rows = read_rows(crm_path)
    write_rows(crm_path, header, crm_rows + [{**crm_rows[-1], "account_id": f"billing:{billing_account_id}",
                                              "merged_into_account_id": ""}])
    result = ws.dbt("run", "--select", "base_billing__accounts+,+int_billing_accounts__mapped_to_customers",
                    "base_crm__accounts+,+int_billing_accounts__mapped_to_customers")
    assert not result.success
    assert (f"CRM account id billing:{billing_account_id} collides with the customer id of billing account "
            f"{billing_account_id}") in result.text

# --- the raw reader: stated dialect, literal paths, regular files only (issue 20) -------------------


def _fails_with(ws: Workspace, table: tuple[str, str], *texts: str, raw_dir: Path | None = None):
    result = ws.dbt(*dq_selection(*table), raw_dir=raw_dir)
    assert not result.success
    for text in texts:
        assert text in result.text, text
    return result


def case_hash_first_field(ws: Workspace, clean: Clean):
    """A ticket id `#5001` (first field starting with `#`) is a row like any other: loaded and staged,
    never taken for a comment; the raw count comes from the file."""
    path = ws.raw_dir / "support" / "tickets.csv"
    header, rows = read_rows(path)
    write_rows(path, header, rows + [{**rows[0], "ticket_id": "#5001"}])
    run_ok(ws, *dq_selection("support", "tickets"))
    assert query(ws.db_path, "select _dq_status from staging.base_support__tickets where ticket_id = '#5001'") \
        == [("staged",)]
    assert_delta(clean, ws.db_path, ("support", "tickets"), (1, 1, 0, 0, 0))


def case_mixed_line_endings(ws: Workspace, clean: Clean):
    """Valid RFC 4180 with CRLF and LF line ends mixed: read exactly as the clean file."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_bytes("".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines[:-1]))
                     .encode("utf-8"))
    run_ok(ws, *dq_selection(*CHARGES))
    relation = "staging.base_billing__subscription_charges"
    assert table_digest(ws.db_path, relation) == table_digest(clean.db_path, relation)


def case_ragged_row(ws: Workspace, clean: Clean):
    """A row with one field too many: the build stops naming the file and the line, in the error
    the summary prints as it is (without DuckDB's "Python exception occurred while executing
    the UDF" around it)."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[4] += ",surprise"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = _fails_with(ws, CHARGES, f"Raw file {path}, line 5: ", "ragged row")
    assert any(f"Raw file {path}, line 5: " in error and "UDF" not in error for error in result.errors), \
        result.errors


def case_unterminated_quote(ws: Workspace, clean: Clean):
    """A quote opened and never closed: the build stops naming the file and the line it opens on."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    text = path.read_text(encoding="utf-8")
    count = text.count("\n")
    path.write_text(text + '"CHG-OPEN,broken\n', encoding="utf-8")
    _fails_with(ws, CHARGES, f"Raw file {path}, line {count + 1}: ", "unterminated quote")


def case_duplicated_header_column(ws: Workspace, clean: Clean):
    """A documented column twice in the header: which copy holds the data is ambiguous, refused."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines = [line + (",quantity" if i == 0 else ",1") if line else line for i, line in enumerate(lines)]
    path.write_text("\n".join(lines), encoding="utf-8")
    _fails_with(ws, CHARGES, f"Raw file {path} has column 'quantity' 2 times in its header")


def case_glob_characters_in_raw_dir(ws: Workspace, clean: Clean):
    """A raw directory named `raw[a]*?` beside a `rawa` folder with other data: the path is literal,
    nothing of the other folder is read (every raw count doubled before)."""
    literal = ws.raw_dir.parent / "raw[a]*?"
    ws.raw_dir.rename(literal)
    decoy = ws.raw_dir.parent / "rawaXY"
    shutil.copytree(literal, decoy)
    result = ws.dbt(*dq_selection(*CHARGES, marts=True), raw_dir=literal)
    assert result.success, result.text
    assert_delta(clean, ws.db_path, CHARGES, (0, 0, 0, 0, 0))
    assert_marts_unchanged(clean, ws.db_path)
    assert query(ws.db_path, "select count(*) from raw.billing__subscription_charges"
                             " where _source_file not like ?", [str(literal) + "/%"]) == [(0,)]


def case_csv_and_parquet_of_one_table(ws: Workspace, clean: Clean):
    """billing/invoices as .csv and .parquet at once: refused, naming both files."""
    csv_path = ws.raw_dir / "billing" / "invoices.csv"
    parquet_path = ws.raw_dir / "billing" / "invoices.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select * from read_csv('{csv_path}', all_varchar = true)) to '{parquet_path}'"
                    " (format parquet)")
    _fails_with(ws, ("billing", "invoices"), f"{csv_path} and {parquet_path}", "present twice")


def case_fifo_instead_of_file(ws: Workspace, clean: Clean):
    """A FIFO where a raw file should be: refused at once (it hung the build forever)."""
    path = ws.raw_dir / "support" / "satisfaction_ratings.csv"
    path.unlink()
    os.mkfifo(path)
    _fails_with(ws, ("support", "satisfaction_ratings"), f"Raw file {path} is a FIFO, not a regular file")


def case_device_instead_of_file(ws: Workspace, clean: Clean):
    """A character device (/dev/null's) where a raw file should be: refused at once, naming it."""
    path = ws.raw_dir / "support" / "satisfaction_ratings.csv"
    path.unlink()
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root (CAP_MKNOD)")
    _fails_with(ws, ("support", "satisfaction_ratings"), f"Raw file {path} is a device, not a regular file")


def case_symlink_outside_raw_dir(ws: Workspace, clean: Clean):
    """A raw file that is a symlink to a file outside the raw directory: refused, naming the target."""
    path = ws.raw_dir / "crm" / "users.csv"
    outside = ws.raw_dir.parent / "outside" / "users.csv"
    outside.parent.mkdir(exist_ok=True)
    shutil.move(path, outside)
    path.symlink_to(outside)
    _fails_with(ws, ("crm", "users"), f"Raw file {path} is a symlink to {outside}, outside the raw directory")


def case_symlink_inside_raw_dir(ws: Workspace, clean: Clean):
    """A symlink to a file inside the raw directory is followed: identical to the clean build."""
    path = ws.raw_dir / "crm" / "users.csv"
    archived = ws.raw_dir / "_archive" / "users-2026-06-30.csv"
    archived.parent.mkdir()
    shutil.move(path, archived)
    path.symlink_to(archived)
    run_ok(ws, *dq_selection("crm", "users"))
    relation = "staging.base_crm__users"
    assert table_digest(ws.db_path, relation) == table_digest(clean.db_path, relation)



# --- careless operators: csw build / csw publish (issue 20) ------------------------------------------


def csw(ws: Workspace, *argv: str) -> tuple[int, str]:
    """Run one csw command in-process; (exit code, everything it printed)."""
    from rich.console import Console

    from csw.cli import build_parser

    console = Console(record=True, width=400, force_terminal=False)
    args = build_parser().parse_args(list(argv))
    env = {"CSW_HASH_SALT": SALT}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        rc = args.func(args, console)
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return rc, console.export_text()


def case_concurrent_build_is_refused(ws: Workspace, clean: Clean):
    """A second csw build on a database another build holds: it names the holder (pid, start time) and
    exits non-zero without touching the database (it failed with "schema marts does not exist")."""
    from csw.buildstate import build_lock

    before = table_digest(ws.db_path, "marts.fct_mrr")
    with build_lock(Path(str(ws.db_path.resolve()) + ".lock"), "test", ws.raw_dir):
        rc, text = csw(ws, "build", "--raw-dir", str(ws.raw_dir), "--db", str(ws.db_path), "--no-progress")
    assert rc == 3
    assert "another csw build holds the lock on database" in text and f"pid {os.getpid()}" in text
    assert "started 20" in text
    assert table_digest(ws.db_path, "marts.fct_mrr") == before


def case_publish_refuses_a_failed_build(ws: Workspace, clean: Clean):
    """csw publish after a failed csw build: refused naming what failed; `current` never moves."""
    path = ws.raw_dir / "billing" / "subscription_charges.csv"
    header, rows = read_rows(path)
    header.remove("quantity")
    write_rows(path, header, [{k: v for k, v in r.items() if k != "quantity"} for r in rows])
    rc, _ = csw(ws, "build", "--raw-dir", str(ws.raw_dir), "--db", str(ws.db_path), "--no-progress",
                "--freshness", "off")
    assert rc == 1
    out = ws.root / "case" / "published"
    rc, text = csw(ws, "publish", "--db", str(ws.db_path), "--out", str(out))
    assert rc == 1
    assert "csw publish refused" in text and "failed" in text
    assert "is missing required column 'quantity'" in text
    assert not (out / "current").exists()


def case_publish_refuses_a_warehouse_without_build_record(ws: Workspace, clean: Clean):
    """A database not built by csw build (no build record) is not published either."""
    out = ws.root / "case" / "published"
    rc, text = csw(ws, "publish", "--db", str(ws.db_path), "--out", str(out))
    assert rc == 1 and "has no build record" in text
    assert not (out / "current").exists()


def case_dbt_command_on_another_raw_dir(ws: Workspace, clean: Clean):
    """`dbt test` whose CSW_RAW_DIR is not the directory the warehouse was loaded from: it says so and
    stops before reloading anything (it silently reloaded raw from the other directory before)."""
    before = table_digest(ws.db_path, "raw.billing__subscription_charges")
    result = ws.dbt("test", "--select", "assert_dq_row_reconciliation_matches_raw", raw_dir=clean.raw_dir,
                    reload_raw=False)
    assert not result.success
    assert f"was loaded from raw directory {ws.raw_dir}, but this dbt test reads {clean.raw_dir}" in result.text
    assert table_digest(ws.db_path, "raw.billing__subscription_charges") == before


def case_dbt_test_reuses_unchanged_raw(ws: Workspace, clean: Clean):
    """`dbt test` on the warehouse's own raw directory with unchanged files does not reload raw."""
    result = run_ok(ws, "test", "--select", "assert_dq_row_reconciliation_matches_raw")
    assert "unchanged since they were loaded: raw tables reused" in result.text


def case_build_prints_loader_warnings_and_as_of_freshness(ws: Workspace, clean: Clean):
    """csw build with a new column in a raw file (and no product source): every loader warning reaches
    the terminal and the summary; freshness of the historical data is measured at its as-of point, so
    nothing reads ERROR; the build record says passed and csw publish goes ahead."""
    path = ws.raw_dir / "billing" / "invoices.csv"
    header, rows = read_rows(path)
    write_rows(path, header + ["_fivetran_synced"], [{**r, "_fivetran_synced": "x"} for r in rows])
    rc, text = csw(ws, "build", "--raw-dir", str(ws.raw_dir), "--db", str(ws.db_path), "--no-progress",
                   "--freshness", "warn")  # the default outside the suite (conftest turns it off)
    assert rc == 0, text[-3000:]
    warning = f"Raw file {path} has extra columns, ignored: _fivetran_synced"
    assert f"WARN  {warning}" in text  # live
    assert "warning(s):" in text and f"! {warning}" in text  # summary
    assert "Input of optional source product.workspace_usage_daily is missing" in text
    assert "at the data's as-of point 2026-06-30" in text
    freshness = " ".join(text[text.index("source freshness (mode warn)"):].split())
    assert "billing.subscription_charges PASS" in freshness and "crm.users PASS" in freshness
    out = ws.root / "case" / "published"
    rc, text = csw(ws, "publish", "--db", str(ws.db_path), "--out", str(out))
    assert rc == 0, text
    assert (out / "current").is_symlink()


def case_freshness_of_historical_data_uses_as_of(ws: Workspace, clean: Clean):
    """Freshness judged at the as-of point: a source loaded 30 h before the as-of instant warns (24 h),
    one 3 days before is an error (48 h), whatever the wall clock says."""
    from csw.freshness import SourceFreshness, as_of_reference, rejudge

    def source(name: str, loaded: str) -> SourceFreshness:
        return SourceFreshness(name, name, "error", loaded, 1e9, "24h", "48h")

    sources = [source("billing.subscription_charges", "2026-06-30T23:00:00+00:00"),
               source("crm.users", "2026-06-29T17:00:00+00:00"),
               source("support.tickets", "2026-06-27T23:00:00+00:00")]
    reference = as_of_reference(sources, None)
    assert reference == dt.datetime(2026, 6, 30, 23, tzinfo=dt.timezone.utc)
    assert [s.status for s in rejudge(sources, reference)] == ["pass", "warn", "error"]
    assert as_of_reference(sources, dt.date(2026, 6, 30)) == dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc)


def _reconciliation_gap(ws: Workspace, clean: Clean) -> tuple[str, int]:
    """Two new charges in the raw file; (the remedy line the reconciliation test must give, raw rows)."""
    append_rows(ws.raw_dir / "billing" / "subscription_charges.csv",
                [fresh_charge(ws.raw_dir, charge_id=f"CHG-FAULT-{i}", _loaded_at=FINAL_LOADED_AT) for i in (1, 2)])
    built = reconciliation(clean.db_path)[CHARGES][0]
    remedy = (f"raw.billing__subscription_charges has {built + 2} rows, its base model "
              f"base_billing__subscription_charges holds {built}: rebuild it with csw build --full-refresh "
              "(plain dbt: dbt build --full-refresh --select base_billing__subscription_charges+)")
    return remedy, built + 2


def case_reconciliation_failure_names_table_counts_and_remedy(ws: Workspace, clean: Clean):
    """csw build --select that skips the base models after a new extract: raw is reloaded, the base model
    is not, and the reconciliation test fails; the build names the table, both counts and the remedy (the
    test's `remedy` column), and only that table (it said neither why nor what to do before)."""
    remedy, _ = _reconciliation_gap(ws, clean)
    rc, text = csw(ws, "build", "--raw-dir", str(ws.raw_dir), "--db", str(ws.db_path), "--no-progress",
                   "--freshness", "off",
                   "--select", "dq_row_reconciliation", "assert_dq_row_reconciliation_matches_raw")
    text = " ".join(text.split())
    assert rc == 1
    assert f"reconciliation: {remedy}" in text
    assert text.count("reconciliation: raw.") == 1
    assert "the base model was not rebuilt after raw was loaded" in text  # the test's explanation


def case_dbt_test_after_new_extract_names_the_gap(ws: Workspace, clean: Clean):
    """Plain `dbt test` after a new extract arrived (files changed, so raw is reloaded) without a build:
    the reconciliation test fails, and its failing row names the table, the counts and the remedy."""
    remedy, raw_rows = _reconciliation_gap(ws, clean)
    result = ws.dbt("test", "--select", "assert_dq_row_reconciliation_matches_raw")
    assert not result.success
    [sql] = result.failing_sql.values()
    rows = query(ws.db_path, f"select source_name, table_name, raw_table_rows, base_model_rows, missing_rows,"
                             f" remedy from ({sql}) as failing")
    assert rows == [("billing", "subscription_charges", raw_rows, raw_rows - 2, 2, remedy)]


def case_wrong_raw_dir_error_printed_once(ws: Workspace, clean: Clean):
    """csw build on a directory that is not a raw directory: it fails naming the first missing file,
    and says so once (the same error was printed three times: event, summary, exception)."""
    wrong = ws.raw_dir.parent / "not_raw"
    wrong.mkdir()
    rc, text = csw(ws, "build", "--raw-dir", str(wrong), "--db", str(ws.db_path), "--no-progress",
                   "--freshness", "off")
    assert rc == 1
    text = " ".join(text.split())
    missing = f"Raw file {wrong}/"
    assert missing in text and "is missing" in text
    assert text.count(missing) == 1, text


def case_unmatched_billing_account_is_a_note_not_a_warning(ws: Workspace, clean: Clean):
    """A billing account whose crm_account_id names no CRM account is a customer of its own
    (metrics.md): csw build passes with no warning and says in a note which accounts and what to do;
    its revenue stays as customer billing:<id>."""
    path = ws.raw_dir / "billing" / "accounts.csv"
    header, rows = read_rows(path)
    rows[0]["crm_account_id"] = "ACC-NOT-IN-CRM"
    write_rows(path, header, rows)
    rc, text = csw(ws, "build", "--raw-dir", str(ws.raw_dir), "--db", str(ws.db_path), "--no-progress",
                   "--freshness", "off", "--select", "+int_billing_accounts__mapped_to_customers")
    text = " ".join(text.split())
    assert rc == 0, text[-3000:]
    assert "WARN test" not in text, text[-3000:]  # (the loader warns that the file was rewritten)
    assert f"{rows[0]['billing_account_id']} -> ACC-NOT-IN-CRM" in text, text[-3000:]
    assert "name a CRM account that does not exist" in text and "fix the id in billing if it is a typo" in text
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        customer = con.execute(
            "select customer_id from intermediate.int_billing_accounts__mapped_to_customers "
            "where billing_account_id = ? and not is_crm_matched", [rows[0]["billing_account_id"]]).fetchone()
    assert customer == (f"billing:{rows[0]['billing_account_id']}",)


def case_late_row_older_than_lookback_is_built(ws: Workspace, clean: Clean):
    """An incremental run after an extract whose _loaded_at is older than the lookback: the new row is
    built (staged) like any other, and the reconciliation holds (it was never built, and
    assert_dq_row_reconciliation_matches_raw failed)."""
    path = ws.raw_dir / "crm" / "activities.csv"
    header, rows = read_rows(path)
    late = {**rows[0], "activity_id": "ACT-LATE-1", "_loaded_at": "2026-01-01T00:00:00Z"}
    write_rows(path, header, rows + [late])
    result = ws.dbt("build", "--select", "base_crm__activities", "dq_row_reconciliation",
                    "assert_dq_row_reconciliation_matches_raw")
    assert result.success, result.text
    assert query(ws.db_path, "select _dq_status from staging.base_crm__activities"
                             " where activity_id = 'ACT-LATE-1'") == [("staged",)]
    assert_delta(clean, ws.db_path, ("crm", "activities"), (1, 1, 0, 0, 0))


# --- csw build --as-of outside the data (issue 20; csw.as_of before dbt starts, int_as_of inside dbt) ----


def _charges_range(clean: Clean) -> tuple[dt.date, dt.date]:
    """(first effective_from, latest _loaded_at date) of the staged charges of the clean world."""
    return query(clean.db_path, "select min(effective_from), cast(max(_loaded_at) as date)"
                                " from staging.base_billing__subscription_charges where _dq_status = 'staged'")[0]


def _as_of_refused(ws: Workspace, clean: Clean, as_of: dt.date) -> None:
    """csw build --as-of `as_of`: exit 2 before dbt starts, naming the data's range; the database untouched."""
    first, last = _charges_range(clean)
    before = ws.db_path.read_bytes()
    rc, text = csw(ws, "build", "--raw-dir", str(ws.raw_dir), "--db", str(ws.db_path), "--no-progress",
                   "--as-of", as_of.isoformat())
    text = " ".join(text.split())
    assert rc == 2, text
    assert (f"--as-of {as_of.isoformat()} is outside the data: billing.subscription_charges runs from "
            f"{first.isoformat()} (first effective_from) to {last.isoformat()} (latest _loaded_at)") in text
    assert "dbt build" not in text  # refused before dbt started
    assert ws.db_path.read_bytes() == before


def case_as_of_after_latest_extract(ws: Workspace, clean: Clean):
    """csw build --as-of after the latest extract: refused naming the data's range (it projected
    open-ended MRR for years without a warning)."""
    _as_of_refused(ws, clean, _charges_range(clean)[1] + dt.timedelta(days=2))


def case_as_of_before_first_charge(ws: Workspace, clean: Clean):
    """csw build --as-of before the first charge starts: refused naming the range (it built an empty
    warehouse)."""
    _as_of_refused(ws, clean, _charges_range(clean)[0] - dt.timedelta(days=2))


def case_as_of_ignores_implausible_raw_dates(ws: Workspace, clean: Clean):
    """Raw charges with effective_from 0000-01-01, a _loaded_at in 2201 and one in 2099: the pre-flight
    ignores what staging quarantines, so --as-of in 2099 is still refused with the staged range (year
    0000 crashed it with OverflowError, and the 2099 stamp let the date through)."""
    append_rows(ws.raw_dir / "billing" / "subscription_charges.csv", [
        fresh_charge(ws.raw_dir, charge_id="CHG-FAULT-1", effective_from="0000-01-01"),
        fresh_charge(ws.raw_dir, charge_id="CHG-FAULT-2", _loaded_at="2201-01-01T00:00:00Z"),
        fresh_charge(ws.raw_dir, charge_id="CHG-FAULT-3", _loaded_at="2099-01-01T00:00:00Z"),
    ])
    _as_of_refused(ws, clean, dt.date(2098, 12, 31))


def case_as_of_var_outside_data_in_dbt(ws: Workspace, clean: Clean):
    """Plain dbt with var as_of_date after the latest extract: int_as_of stops the build naming the range
    (the same rule as csw build's pre-flight, on staged rows)."""
    first, last = _charges_range(clean)
    as_of = last + dt.timedelta(days=1)
    result = ws.dbt("run", "--select", "int_as_of", "--vars", f"{{as_of_date: '{as_of.isoformat()}'}}")
    assert not result.success
    assert (f"as_of_date {as_of.isoformat()} is outside the data: billing.subscription_charges runs from "
            f"{first.isoformat()} (first effective_from) to {last.isoformat()} (latest _loaded_at)") in result.text

CASES: dict[str, Callable[[Workspace, Clean], None]] = {
    name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_") and callable(fn)
}


@pytest.mark.parametrize("name", list(CASES))
def test_fault(world, name: str):
    ws, clean = world
    ws.reset(clean.raw_dir, clean.db_path)
    CASES[name](ws, clean)
