"""The MetricFlow semantic layer answers exactly what the marts say.

One module-scoped warehouse: the bundled demo built into a temporary DuckDB
file, and a temporary dbt project directory (symlinks to the real project's
files) parsed against that file. `mf` reads `<project>/target/semantic_manifest.json`
and has no --target flag, so the temporary project keeps the developer's
target/ untouched and points MetricFlow at the temporary database
(profiles.yml reads CSW_DB_PATH).

Every metric is queried through the `mf` CLI (`--csv`) and compared with
plain SQL on the marts: money to the cent, counts exactly, stored rates to
their stored precision (rounded half away from zero), other ratios to 1e-9.

Over 400 lines on purpose: one comparison per metric group against the marts, all on the one
module-scoped warehouse and parsed project (split, each module would build its own).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from csw.runner import PROJECT_DIR, temporary_env
from csw.runner import _release_duckdb as release_duckdb

BIN = Path(sys.executable).parent
PROJECT_ENTRIES = (
    "dbt_project.yml", "profiles.yml", ".dbtignore", "models", "macros", "seeds",
    "analyses", "tests", "data",
)
CENT = Decimal("0.01")
NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")

MOVEMENTS = ("new", "upsell", "cross_sell", "downsell", "churn", "win_back", "fx_adjustment")

# Every metric of models/semantic/_semantic__metrics.yml is queried at least once below.
ALL_METRICS = {
    "mrr", "arr", "customers", "arpa", *(f"{m}_mrr" for m in MOVEMENTS), "net_new_mrr",
    "restated_starting_mrr", "starting_mrr", "customers_start", "new_customers",
    "won_back_customers", "churned_customers", "churned_mrr", "logo_churn_rate", "gross_mrr_churn",
    "retained_mrr", "gross_mrr_churn_rate", "net_mrr_retention", "nrr_12m", "grr_12m",
    "nps_responses", "nps_promoters", "nps_detractors", "nps_points_metric", "nps",
    "csat_ratings", "csat_good_ratings", "csat", "tickets", "escalated_tickets",
    "sla_breached_tickets", "escalation_rate", "sla_breach_rate", "health_snapshots",
    "health_score_total_metric", "average_health_score", "red_health_snapshots_metric",
    "red_account_share", "expansion_mrr", "contraction_mrr", "quick_ratio",
    "ended_trials", "converted_trials", "trial_conversion_rate",
}
QUERIED: set[str] = set()


# ----------------------------------------------------------------------------- fixtures


class SemanticWarehouse:
    """The temporary project and database, MetricFlow in-process, and dbt in-process."""

    def __init__(self, project: Path, db_path: Path):
        self.project = project
        self.db_path = db_path
        self.env = {
            "CSW_DB_PATH": str(db_path),
            "CSW_TARGET": "dev",
            "DBT_PROJECT_DIR": str(project),
            "DBT_PROFILES_DIR": str(project),
            # `mf` reads <project>/target/semantic_manifest.json: the project's own target and log
            # directories, whatever DBT_TARGET_PATH the test session set (conftest.py)
            "DBT_TARGET_PATH": str(project / "target"),
            "DBT_LOG_PATH": str(project / "logs"),
        }
        self.listings: dict[str, set[str]] = {}
        self._mf_config = None

    def dbt(self, *args: str):
        """dbt in-process (no interpreter start-up); releases the DuckDB file afterwards."""
        from dbt.cli.main import dbtRunner

        try:
            result = dbtRunner().invoke(
                [*args, "--project-dir", str(self.project), "--profiles-dir", str(self.project),
                 "--quiet"]
            )
        finally:
            release_duckdb()
        assert result.success, f"dbt {' '.join(args)} failed: {result.exception}"
        return result

    def mf_cli(self, metrics: list[str], group_by: list[str]) -> list[dict[str, str]]:
        """`mf query --csv` as an analyst runs it (a subprocess in the project directory)."""
        out = self.project / "mf_cli.csv"
        result = subprocess.run(
            [str(BIN / "mf"), "query", "--metrics", ",".join(metrics), "--group-by",
             ",".join(group_by), "--csv", str(out)],
            cwd=self.project, env={**os.environ, **self.env}, capture_output=True, text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"mf query failed:\n{result.stdout}\n{result.stderr}"
        with out.open(newline="") as handle:
            return list(csv.DictReader(handle))

    @property
    def mf_config(self):
        if self._mf_config is None:
            from dbt_metricflow.cli.cli_configuration import CLIConfiguration

            config = CLIConfiguration()
            config.setup(dbt_profiles_path=self.project, dbt_project_path=self.project,
                         configure_file_logging=False)
            self._mf_config = config
        return self._mf_config

    def mf(self, metrics: list[str], group_by: list[str]) -> list[dict[str, str]]:
        """MetricFlow's Python API (the engine `mf query` uses); cells as `mf query --csv` writes them."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        QUERIED.update(metrics)
        request = MetricFlowQueryRequest.create(metric_names=metrics, group_by_names=group_by)
        table = self.mf_config.mf.query(mf_request=request).result_df
        return [
            {name: "" if value is None else str(value) for name, value in zip(table.column_names, row)}
            for row in table.rows
        ]

    def sql(self, query: str) -> list[dict]:
        """Plain SQL on the marts, through the same connection MetricFlow holds (DuckDB
        refuses a second connection to the file with another configuration)."""
        # MetricFlow's client hands DECIMALs back as float: read every column as text and
        # turn numbers into Decimal, so money compares to the cent without float.
        table = self.mf_config.sql_client.query(f"select columns(*)::varchar from ({query}) as q")
        return [
            {name: _typed(value) for name, value in zip(table.column_names, row)}
            for row in table.rows
        ]


def _typed(text: str | None):
    if text is None or not NUMERIC.match(text):
        return text
    return Decimal(text)


@pytest.fixture(scope="module")
def sw(tmp_path_factory, demo_warehouse_copy) -> Iterator[SemanticWarehouse]:
    work = tmp_path_factory.mktemp("semantic")
    db_path = demo_warehouse_copy(work)  # the suite's demo build (conftest `demo_build`)
    project = work / "project"
    project.mkdir()
    for name in PROJECT_ENTRIES:
        if (PROJECT_DIR / name).exists():
            (project / name).symlink_to(PROJECT_DIR / name)
    warehouse = SemanticWarehouse(project, db_path)
    with temporary_env(warehouse.env):
        # parse against the temporary database: relation names carry its catalog name
        warehouse.dbt("parse")
        assert (project / "target" / "semantic_manifest.json").exists()
        for exposure in ("csw_static_report", "bi_dashboard", "published_snapshot"):
            result = warehouse.dbt("ls", "--select", f"+exposure:{exposure}",
                                   "--resource-type", "model", "--output", "name")
            warehouse.listings[exposure] = set(result.result)
        warehouse.dbt("docs", "generate", "--static")
        # the CLI, before the in-process engine takes the DuckDB file
        warehouse.cli_rows = warehouse.mf_cli(["mrr", "customers"], ["metric_time__month"])
        yield warehouse
        release_duckdb()


# ----------------------------------------------------------------------------- helpers


def month_key(value) -> str:
    return str(value)[:10]


def seg_key(value) -> str:
    return "" if value is None else str(value)


def money(text: str) -> Decimal | None:
    return None if text in ("", None) else Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)


def number(text: str) -> Decimal | None:
    return None if text in ("", None) else Decimal(text)


def rounded(text: str, places: int) -> Decimal | None:
    if text in ("", None):
        return None
    return Decimal(text).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def close(mf_text: str, expected, tol: float = 1e-9) -> bool:
    if expected is None:
        return mf_text in ("", None)
    if mf_text in ("", None):
        return False
    return abs(Decimal(mf_text) - Decimal(str(expected))) <= Decimal(str(tol))


TIME_KEYS = {"month", "quarter"}


def index(rows: list[dict], *keys: str) -> dict[tuple, dict]:
    out = {}
    for row in rows:
        key = tuple(month_key(row[k]) if k in TIME_KEYS or k.startswith("metric_time")
                    else seg_key(row[k]) for k in keys)
        assert key not in out, f"duplicate key {key}"
        out[key] = row
    return out


def assert_no_problems(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:20])


# ----------------------------------------------------------------------------- finance

FINANCE_COMPANY = [
    "mrr", "arr", "customers", "arpa", *(f"{m}_mrr" for m in MOVEMENTS), "net_new_mrr",
    "starting_mrr", "restated_starting_mrr", "customers_start", "churned_customers",
    "churned_mrr", "logo_churn_rate", "gross_mrr_churn_rate", "net_mrr_retention",
    "nrr_12m", "grr_12m", "expansion_mrr", "contraction_mrr", "quick_ratio", "gross_mrr_churn",
    "retained_mrr",
]


def test_finance_metrics_by_month_equal_bridge_and_retention(sw):
    rows = sw.mf(FINANCE_COMPANY, ["metric_time__month"])
    got = index(rows, "metric_time__month")
    bridge = index(sw.sql("""
        select b.*, r.logo_churn_rate, r.gross_mrr_churn_rate, r.net_mrr_retention,
               r.nrr_12m, r.grr_12m, r.churned_customers, r.customers_start as r_customers_start,
               (select sum(churned_mrr_usd) from marts.fct_churn_events c
                 where c.churn_month = b.month) as churned_mrr_usd
        from marts.agg_mrr_bridge_monthly b
        join marts.agg_retention_monthly r on r.month = b.month
        where b.segment = 'all'
    """), "month")
    assert set(got) == set(bridge), "months differ (no month beyond the as-of month, none missing)"
    assert len(got) >= 12
    problems = []
    for (month,), e in bridge.items():
        g = got[(month,)]
        checks = {
            "mrr": (money(g["mrr"]), e["ending_mrr_usd"]),
            "arr": (money(g["arr"]), 12 * e["ending_mrr_usd"]),
            "customers": (number(g["customers"]), e["customers_end"]),
            "net_new_mrr": (money(g["net_new_mrr"]), e["net_new_mrr_usd"]),
            "starting_mrr": (money(g["starting_mrr"]), e["starting_mrr_usd"]),
            "restated_starting_mrr": (money(g["restated_starting_mrr"]),
                                      e["starting_mrr_usd"] + e["fx_adjustment_usd"]),
            "customers_start": (number(g["customers_start"]), e["customers_start"]),
            "customers_start_vs_retention": (number(g["customers_start"]), e["r_customers_start"]),
            "churned_customers": (number(g["churned_customers"]) or 0, e["churned_customers"]),
            "churned_mrr": (money(g["churned_mrr"]) or 0, e["churned_mrr_usd"] or 0),
            "logo_churn_rate": (rounded(g["logo_churn_rate"], 6), e["logo_churn_rate"]),
            "gross_mrr_churn_rate": (rounded(g["gross_mrr_churn_rate"], 6), e["gross_mrr_churn_rate"]),
            "net_mrr_retention": (rounded(g["net_mrr_retention"], 6), e["net_mrr_retention"]),
            "nrr_12m": (rounded(g["nrr_12m"], 6), e["nrr_12m"]),
            "grr_12m": (rounded(g["grr_12m"], 6), e["grr_12m"]),
            "expansion_mrr": (money(g["expansion_mrr"]), e["expansion_usd"]),
            "contraction_mrr": (money(g["contraction_mrr"]), e["contraction_usd"]),
            "quick_ratio": (rounded(g["quick_ratio"], 4), e["quick_ratio"]),
            "gross_mrr_churn": (money(g["gross_mrr_churn"]), -(e["churn_usd"] + e["contraction_usd"])),
            "retained_mrr": (money(g["retained_mrr"]),
                             e["starting_mrr_usd"] + e["fx_adjustment_usd"] + e["expansion_usd"]
                             + e["contraction_usd"] + e["churn_usd"]),
        }
        for movement in MOVEMENTS:
            checks[f"{movement}_mrr"] = (money(g[f"{movement}_mrr"]), e[f"{movement}_usd"])
        for name, (actual, expected) in checks.items():
            if actual != expected:
                problems.append(f"{month} {name}: mf={actual!r} mart={expected!r}")
        arpa = e["ending_mrr_usd"] / e["customers_end"] if e["customers_end"] else None
        if not close(g["arpa"], arpa, 1e-6):
            problems.append(f"{month} arpa: mf={g['arpa']!r} sql={arpa!r}")
    assert_no_problems(problems)


FINANCE_SEGMENT = [
    "mrr", "customers", *(f"{m}_mrr" for m in MOVEMENTS), "net_new_mrr", "starting_mrr",
    "customers_start", "new_customers", "won_back_customers", "churned_customers",
    "logo_churn_rate", "gross_mrr_churn", "retained_mrr", "gross_mrr_churn_rate",
    "net_mrr_retention", "arpa", "expansion_mrr", "contraction_mrr",
]


def test_finance_metrics_by_segment_equal_segment_bridge(sw):
    got = index(sw.mf(FINANCE_SEGMENT, ["metric_time__month", "customer_month__segment"]),
                "metric_time__month", "customer_month__segment")
    bridge = index(sw.sql("""
        select b.*,
            (select count(*) from marts.fct_churn_events c
              where c.churn_month = b.month and c.segment = b.segment) as churned_customers
        from marts.agg_mrr_bridge_monthly b
        where b.segment <> 'all'
          and (b.customers_start > 0 or b.customers_end > 0)
    """), "month", "segment")
    assert set(got) == set(bridge), sorted(set(got) ^ set(bridge))[:10]
    problems = []
    for key, e in bridge.items():
        g = got[key]
        restated = e["starting_mrr_usd"] + e["fx_adjustment_usd"]
        checks = {
            "mrr": (money(g["mrr"]), e["ending_mrr_usd"]),
            "customers": (number(g["customers"]), e["customers_end"]),
            "net_new_mrr": (money(g["net_new_mrr"]), e["net_new_mrr_usd"]),
            "starting_mrr": (money(g["starting_mrr"]), e["starting_mrr_usd"]),
            "customers_start": (number(g["customers_start"]), e["customers_start"]),
            "churned_customers": (number(g["churned_customers"]), e["churned_customers"]),
            "gross_mrr_churn": (money(g["gross_mrr_churn"]), -(e["churn_usd"] + e["contraction_usd"])),
            "retained_mrr": (money(g["retained_mrr"]),
                             restated + e["expansion_usd"] + e["contraction_usd"] + e["churn_usd"]),
            "expansion_mrr": (money(g["expansion_mrr"]), e["expansion_usd"]),
            "contraction_mrr": (money(g["contraction_mrr"]), e["contraction_usd"]),
        }
        for movement in MOVEMENTS:
            checks[f"{movement}_mrr"] = (money(g[f"{movement}_mrr"]), e[f"{movement}_usd"])
        for name, (actual, expected) in checks.items():
            if actual != expected:
                problems.append(f"{key} {name}: mf={actual!r} mart={expected!r}")
        ratios = {
            "logo_churn_rate": (e["churned_customers"], e["customers_start"]),
            "gross_mrr_churn_rate": (-(e["churn_usd"] + e["contraction_usd"]), restated),
            "net_mrr_retention": (restated + e["expansion_usd"] + e["contraction_usd"]
                                  + e["churn_usd"], restated),
            "arpa": (e["ending_mrr_usd"], e["customers_end"]),
        }
        for name, (num, den) in ratios.items():
            expected = Decimal(num) / Decimal(den) if den else None
            if not close(g[name], expected, 1e-9):
                problems.append(f"{key} {name}: mf={g[name]!r} sql={expected!r}")
    assert_no_problems(problems)


def test_mrr_by_product_and_movements_by_product_line(sw):
    """MRR keeps the product grain; movements are classified per product line."""
    got = index(sw.mf(["mrr", "customers", "arpa"], ["metric_time__month", "product"]),
                "metric_time__month", "product")
    mrr = index(sw.sql("""
        select month, product_id, sum(mrr_usd) as mrr, count(distinct customer_id) as customers
        from marts.fct_mrr group by 1, 2
    """), "month", "product_id")
    assert set(got) == set(mrr)
    problems = []
    for key, e in mrr.items():
        g = got[key]
        if money(g["mrr"]) != e["mrr"]:
            problems.append(f"{key} mrr: mf={g['mrr']!r} mart={e['mrr']!r}")
        if number(g["customers"]) != e["customers"]:
            problems.append(f"{key} customers: mf={g['customers']!r} mart={e['customers']!r}")
        if not close(g["arpa"], e["mrr"] / e["customers"], 1e-6):
            problems.append(f"{key} arpa: mf={g['arpa']!r}")
    metrics = [*(f"{m}_mrr" for m in MOVEMENTS), "net_new_mrr"]
    got = index(sw.mf(metrics, ["metric_time__month", "mrr_movement__product_line"]),
                "metric_time__month", "mrr_movement__product_line")
    moves = {}
    for row in sw.sql("""
        select month, product_line, movement_type, sum(mrr_change_usd) as amount
        from marts.fct_mrr_movements group by 1, 2, 3
    """):
        moves[(month_key(row["month"]), row["product_line"], row["movement_type"])] = row["amount"]
    keys = {(m, p) for m, p, _ in moves}
    assert set(got) == keys
    for key in keys:
        g = got[key]
        for movement in MOVEMENTS:
            expected = moves.get((*key, movement), Decimal(0))
            if money(g[f"{movement}_mrr"]) != expected:
                problems.append(f"{key} {movement}: mf={g[f'{movement}_mrr']!r} mart={expected!r}")
        net = sum(moves.get((*key, m), Decimal(0)) for m in MOVEMENTS if m != "fx_adjustment")
        if money(g["net_new_mrr"]) != net:
            problems.append(f"{key} net_new_mrr: mf={g['net_new_mrr']!r} mart={net!r}")
    assert_no_problems(problems)


def test_trial_conversion_by_month_equals_mart(sw):
    metrics = ["ended_trials", "converted_trials", "trial_conversion_rate"]
    got = index(sw.mf(metrics, ["metric_time__month"]), "metric_time__month")
    expected = index(sw.sql("select * from marts.agg_trial_conversion_monthly"), "month")
    assert expected and set(got) == set(expected)
    problems = []
    for key, e in expected.items():
        g = got[key]
        checks = {
            "ended_trials": (number(g["ended_trials"]), e["ended_trials"]),
            "converted_trials": (number(g["converted_trials"]), e["converted_trials"]),
            "trial_conversion_rate": (rounded(g["trial_conversion_rate"], 6), e["trial_conversion_rate"]),
        }
        for name, (actual, wanted) in checks.items():
            if actual != wanted:
                problems.append(f"{key} {name}: mf={actual!r} mart={wanted!r}")
    assert_no_problems(problems)


def test_mrr_is_a_month_end_stock_at_quarter_grain(sw):
    got = index(sw.mf(["mrr", "customers"], ["metric_time__quarter"]), "metric_time__quarter")
    expected = index(sw.sql("""
        select date_trunc('quarter', month)::date as quarter, ending_mrr_usd, customers_end
        from marts.agg_mrr_bridge_monthly
        where segment = 'all'
        qualify month = max(month) over (partition by date_trunc('quarter', month))
    """), "quarter")
    assert set(got) == set(expected)
    for key, e in expected.items():
        assert money(got[key]["mrr"]) == e["ending_mrr_usd"], key
        assert number(got[key]["customers"]) == e["customers_end"], key


# ----------------------------------------------------------------------------- customer success

CS_METRICS = [
    "nps", "nps_responses", "nps_promoters", "nps_detractors", "nps_points_metric",
    "csat", "csat_ratings", "csat_good_ratings",
]


def _cs_expected(sw, segment_filter: str) -> tuple[dict, dict]:
    nps = index(sw.sql(f"""
        select month, segment, responses, promoters, detractors, nps
        from marts.agg_nps_monthly where {segment_filter}
    """), "month", "segment")
    csat = index(sw.sql(f"""
        select month, segment, support_ratings_good, support_ratings_bad, support_csat_pct
        from marts.agg_csat_monthly where {segment_filter}
    """), "month", "segment")
    return nps, csat


def _check_cs(got: dict, nps: dict, csat: dict, segment_of) -> list[str]:
    problems = []
    for key, e in nps.items():
        g = got.get(segment_of(key))
        if e["responses"] == 0:
            if g is not None and g["nps"] not in ("",):
                problems.append(f"{key} nps: mf={g['nps']!r} mart has no responses")
            continue
        checks = {
            "nps_responses": (number(g["nps_responses"]), e["responses"]),
            "nps_promoters": (number(g["nps_promoters"]), e["promoters"]),
            "nps_detractors": (number(g["nps_detractors"]), e["detractors"]),
            "nps": (rounded(g["nps"], 1), e["nps"]),
        }
        problems += [f"{key} {n}: mf={a!r} mart={x!r}" for n, (a, x) in checks.items() if a != x]
    for key, e in csat.items():
        ratings = e["support_ratings_good"] + e["support_ratings_bad"]
        g = got.get(segment_of(key))
        if ratings == 0:
            if g is not None and g["csat"] not in ("",):
                problems.append(f"{key} csat: mf={g['csat']!r} mart has no ratings")
            continue
        if number(g["csat_ratings"]) != ratings:
            problems.append(f"{key} csat_ratings: mf={g['csat_ratings']!r} mart={ratings}")
        if number(g["csat_good_ratings"]) != e["support_ratings_good"]:
            problems.append(f"{key} csat_good_ratings: mf={g['csat_good_ratings']!r} mart={e['support_ratings_good']!r}")
        if rounded(g["csat"], 4) != e["support_csat_pct"]:
            problems.append(f"{key} csat: mf={g['csat']!r} mart={e['support_csat_pct']!r}")
    return problems


def test_nps_and_csat_by_month_equal_marts(sw):
    got = index(sw.mf(CS_METRICS, ["metric_time__month"]), "metric_time__month")
    nps, csat = _cs_expected(sw, "segment = 'all'")
    assert_no_problems(_check_cs(got, nps, csat, lambda key: (key[0],)))


def test_nps_and_csat_by_cs_segment_equal_marts(sw):
    got = index(sw.mf(CS_METRICS, ["metric_time__month", "customer_month__cs_segment"]),
                "metric_time__month", "customer_month__cs_segment")
    nps, csat = _cs_expected(sw, "segment <> 'all'")
    assert_no_problems(_check_cs(got, nps, csat, lambda key: key))


SUPPORT_METRICS = ["tickets", "escalated_tickets", "sla_breached_tickets", "escalation_rate",
                   "sla_breach_rate"]
# Segment rule of the customer-success marts: segment in the month with MRR, else current.
SUPPORT_SQL = """
    with tickets as (
        select t.*, date_trunc('month', t.created_at)::date as month
        from marts.fct_support_tickets t
    ),
    mrr_segments as (
        select customer_id, month, max(segment) as segment from marts.fct_mrr group by 1, 2
    )
    select tickets.month, {segment} as segment,
        count(*) as tickets,
        count(*) filter (where is_escalated) as escalations,
        count(*) filter (where breached_first_reply_sla or breached_resolution_sla) as breached
    from tickets
    left join mrr_segments m on m.customer_id = tickets.customer_id and m.month = tickets.month
    left join marts.dim_customers d on d.customer_id = tickets.customer_id
    group by 1, 2
"""


def _check_support(got: dict, expected: dict) -> list[str]:
    assert set(got) == set(expected), sorted(set(got) ^ set(expected))[:10]
    problems = []
    for key, e in expected.items():
        g = got[key]
        checks = {
            "tickets": (number(g["tickets"]), e["tickets"]),
            "escalated_tickets": (number(g["escalated_tickets"]), e["escalations"]),
            "sla_breached_tickets": (number(g["sla_breached_tickets"]), e["breached"]),
        }
        problems += [f"{key} {n}: mf={a!r} sql={x!r}" for n, (a, x) in checks.items() if a != x]
        if not close(g["escalation_rate"], Decimal(e["escalations"]) / e["tickets"]):
            problems.append(f"{key} escalation_rate: mf={g['escalation_rate']!r}")
        if not close(g["sla_breach_rate"], Decimal(e["breached"]) / e["tickets"]):
            problems.append(f"{key} sla_breach_rate: mf={g['sla_breach_rate']!r}")
    return problems


def test_support_rates_by_month_and_cs_segment(sw):
    by_month = index(sw.mf(SUPPORT_METRICS, ["metric_time__month"]), "metric_time__month")
    expected = {(k[0],): v for k, v in
                index(sw.sql(SUPPORT_SQL.format(segment="'all'")), "month", "segment").items()}
    assert_no_problems(_check_support(by_month, expected))

    by_segment = index(sw.mf(SUPPORT_METRICS, ["metric_time__month", "customer_month__cs_segment"]),
                       "metric_time__month", "customer_month__cs_segment")
    expected = index(sw.sql(SUPPORT_SQL.format(
        segment="case when tickets.customer_id is not null then coalesce(m.segment, d.segment) end")),
        "month", "segment")
    assert_no_problems(_check_support(by_segment, expected))
    # the customer-attributed tickets are exactly agg_support_monthly
    mart = index(sw.sql("""
        select month, sum(tickets) as tickets, sum(escalations) as escalations,
               sum(breached_tickets) as breached
        from marts.agg_support_monthly group by 1
    """), "month")
    for (month,), e in mart.items():
        attributed = [v for (m, seg), v in by_segment.items() if m == month and seg != ""]
        assert sum(number(v["tickets"]) for v in attributed) == e["tickets"], month
        assert sum(number(v["escalated_tickets"]) for v in attributed) == e["escalations"], month
        assert sum(number(v["sla_breached_tickets"]) for v in attributed) == e["breached"], month


HEALTH_METRICS = ["health_snapshots", "health_score_total_metric", "average_health_score",
                  "red_health_snapshots_metric", "red_account_share"]


def test_health_metrics_by_month_and_segment(sw):
    for group_by, segment in (([], "'all'"), (["customer_month__segment"], "segment")):
        got = sw.mf(HEALTH_METRICS, ["metric_time__month", *group_by])
        got = index(got, "metric_time__month", *group_by) if group_by else \
            {(k[0], "all"): v for k, v in index(got, "metric_time__month").items()}
        expected = index(sw.sql(f"""
            select month, {segment} as segment, count(*) as snapshots,
                   sum(health_score) as total, count(*) filter (where health_band = 'red') as red
            from marts.fct_customer_health group by 1, 2
        """), "month", "segment")
        assert set(got) == set(expected)
        problems = []
        for key, e in expected.items():
            g = got[key]
            if number(g["health_snapshots"]) != e["snapshots"]:
                problems.append(f"{key} health_snapshots: mf={g['health_snapshots']!r}")
            if number(g["red_health_snapshots_metric"]) != e["red"]:
                problems.append(f"{key} red: mf={g['red_health_snapshots_metric']!r}")
            if rounded(g["health_score_total_metric"], 1) != e["total"]:
                problems.append(f"{key} total: mf={g['health_score_total_metric']!r}")
            if not close(g["average_health_score"], e["total"] / e["snapshots"]):
                problems.append(f"{key} average_health_score: mf={g['average_health_score']!r}")
            if not close(g["red_account_share"], Decimal(e["red"]) / e["snapshots"]):
                problems.append(f"{key} red_account_share: mf={g['red_account_share']!r}")
        assert_no_problems(problems)


# ----------------------------------------------------------------------------- project wiring


def test_every_metric_is_checked_and_described(sw):
    import json

    manifest = json.loads((sw.project / "target" / "semantic_manifest.json").read_text())
    names = {m["name"] for m in manifest["metrics"]}
    assert names == ALL_METRICS, f"metrics without a check or missing: {sorted(names ^ ALL_METRICS)}"
    undescribed = [m["name"] for m in manifest["metrics"] if not (m.get("description") or "").strip()]
    assert not undescribed, f"metrics without a description: {undescribed}"
    not_queried = ALL_METRICS - QUERIED
    # run alone (pytest -k) the query tests may not have run; in a full run they all must have
    if len(QUERIED) > 0 and not_queried:
        pytest.fail(f"metrics never queried through MetricFlow: {sorted(not_queried)}")


# what scripts/csw/report/queries.py reads (test_exposures.py checks the exact list)
REPORT_MARTS = {
    "agg_mrr_bridge_monthly", "fct_mrr", "fct_churn_events", "fct_nps_responses",
    "agg_retention_monthly", "agg_nps_monthly", "agg_csat_monthly", "agg_support_monthly",
    "fct_support_tickets", "agg_touch_coverage_monthly", "fct_customer_health", "agg_health_backtest",
}


def test_exposures_list_what_feeds_them(sw):
    report = sw.listings["csw_static_report"]
    assert REPORT_MARTS <= report, REPORT_MARTS - report
    assert {"stg_billing__subscription_charges", "int_mrr__movements"} <= report
    bi = sw.listings["bi_dashboard"]
    assert {"agg_metrics_monthly", "dim_labels", "agg_mrr_bridge_monthly"} <= bi
    published = sw.listings["published_snapshot"]
    marts = {p.stem for p in (PROJECT_DIR / "models" / "marts").rglob("*.sql")}
    assert marts <= published, f"published marts missing from published_snapshot: {sorted(marts - published)}"
    assert not any(name == "metricflow_time_spine" for name in published)


def test_docs_generate_offline(sw):
    """`dbt docs generate --static` ran in the fixture (no network is needed or used)."""
    target = sw.project / "target"
    assert (target / "index.html").stat().st_size > 0
    assert (target / "catalog.json").stat().st_size > 0
    html = (target / "static_index.html").read_text()
    assert "fct_mrr" in html and "csw_static_report" in html and "metricflow_time_spine" in html
    # the overview page (models/overview.md): what the warehouse is, the bridge, the metrics
    assert "How to read the MRR bridge" in html and "Where each metric is defined" in html


def test_mf_cli_answers_like_the_python_api(sw):
    """`mf query --csv` (subprocess, as in docs/semantic_layer.md) gives the same cells."""
    cli = index(sw.cli_rows, "metric_time__month")
    api = index(sw.mf(["mrr", "customers"], ["metric_time__month"]), "metric_time__month")
    assert set(cli) == set(api) and len(cli) >= 12
    for key, row in api.items():
        assert money(cli[key]["mrr"]) == money(row["mrr"]), key
        assert number(cli[key]["customers"]) == number(row["customers"]), key


# ----------------------------------------------------------------------------- agg_metrics_monthly


def test_metrics_mart_equals_mf_query_for_every_metric_and_grain(sw):
    """marts.agg_metrics_monthly (generated from the same YAML) = `mf query` for each metric,
    by month (segment 'all') and by month and its segment dimension, value by value."""
    import json

    manifest = json.loads((sw.project / "target" / "semantic_manifest.json").read_text())
    names = sorted(m["name"] for m in manifest["metrics"])
    rows = sw.sql("select metric_name, month, segment, segment_dimension, value from marts.agg_metrics_monthly")
    mart: dict[tuple, Decimal] = {}
    dimension: dict[str, str | None] = {}
    for r in rows:
        mart[(r["metric_name"], month_key(r["month"]), r["segment"])] = r["value"]
        dimension[r["metric_name"]] = r["segment_dimension"]
    assert set(dimension) == set(names), f"metrics missing from the mart: {sorted(set(names) - set(dimension))}"

    problems: list[str] = []
    for name in names:
        grains = [(["metric_time__month"], None)]
        if dimension[name]:
            grains.append((["metric_time__month", dimension[name]], dimension[name]))
        for group_by, seg_column in grains:
            expected = {}
            for g in sw.mf([name], group_by):
                if g["metric_time__month"] == "" or g[name] == "":
                    continue
                segment = "all" if seg_column is None else g[seg_column]
                if segment == "":
                    continue  # unattributed: in 'all' only
                expected[(name, month_key(g["metric_time__month"]), segment)] = Decimal(g[name])
            got = {k: v for k, v in mart.items() if k[0] == name and (k[2] == "all") == (seg_column is None)}
            for key in sorted(set(expected) | set(got)):
                e, a = expected.get(key), got.get(key)
                if e is None or a is None or abs(e - a) > Decimal("1e-8") * max(Decimal(1), abs(e)):
                    problems.append(f"{key}: mf={e} mart={a}")
    assert_no_problems(problems)
