"""Source freshness for ``csw build``: dbt's ``source freshness`` judgement, printed and applied.

The build's ``on-run-start`` hook loads the raw tables. On DuckDB the freshness queries then run
in this process on those tables (``duckdb_source_freshness``: the loaded-at expressions and limits
from the build's manifest; a second dbt invocation cost about 5 s per build). On Postgres and
Spark, and when the build ran no node, ``dbt source freshness`` runs as its own invocation with
the same target, target path and vars; dbt runs project hooks for it too, so when the build ran
nodes the loader is told to reuse the raw tables just loaded (``CSW_SKIP_RAW_LOAD=1``).

dbt compares ``max(_loaded_at)`` with the database's current time, so historical data
(the bundled demo ends 2026-06-30) would always be stale. ``csw build`` therefore measures
each source's age at the data's as-of point by default (``--freshness-clock as-of``: the end
of ``--as-of``, else the latest load of billing.subscription_charges), with the same limits;
``--freshness-clock wall`` keeps dbt's wall-clock judgement (a scheduled production run).
How a stale source counts is the ``--freshness`` mode (docs/quality_gates.md):

- ``warn`` (default): every source's status and age is shown; never fails the build.
- ``error``: a source past ``error_after`` (or whose freshness query failed) fails the
  build (exit code 1) with a line naming the source table. ``warn_after`` only warns.
- ``off``: not run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from csw.runner import PROJECT_DIR, DbtResult, run_dbt

MODES = ("warn", "error", "off")

_STYLE = {"pass": "green", "warn": "yellow", "error": "red", "runtime error": "red", "empty": "dim"}


@dataclass(frozen=True)
class SourceFreshness:
    """One source table's freshness as dbt reported it (target/sources.json)."""

    source: str  # "<source>.<table>"
    relation: str  # raw relation, e.g. raw.billing__invoices
    status: str  # pass | warn | error | runtime error | empty (optional source without file)
    max_loaded_at: str | None = None
    age_seconds: float | None = None
    warn_after: str = ""
    error_after: str = ""
    message: str = ""

    @property
    def failing(self) -> bool:
        """Error-level: past error_after, or the freshness query itself failed."""
        return self.status in ("error", "runtime error")


@dataclass
class FreshnessReport:
    sources: list[SourceFreshness]
    dbt: DbtResult | None = None

    @property
    def failing(self) -> list[SourceFreshness]:
        return [s for s in self.sources if s.failing]


def freshness_args(target: str, as_of: str | None) -> list[str]:
    """dbt arguments matching the build's target, target path and vars."""
    # dbt's own per-source lines ("Failure in source ...") are not printed: the summary
    # table replaces them, and in warn mode they would read as a failed build.
    args = ["source", "freshness", "--target", target, "--log-level", "none", "--log-level-file", "info"]
    if target != "dev":
        args += ["--target-path", f"target_{target}"]
    if as_of is not None:
        args += ["--vars", json.dumps({"as_of_date": as_of})]
    return args


def _target_path(args: list[str], env: dict[str, str] | None = None) -> Path:
    """Where dbt writes this run's artifacts: `--target-path`, else DBT_TARGET_PATH (the run's env,
    then this process's), else target/."""
    if "--target-path" in args:
        path = Path(args[args.index("--target-path") + 1])
    else:
        path = Path((env or {}).get("DBT_TARGET_PATH") or os.environ.get("DBT_TARGET_PATH") or "target")
    return path if path.is_absolute() else PROJECT_DIR / path


def format_age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def _criterion(criteria: dict, key: str) -> str:
    value = (criteria or {}).get(key) or {}
    if value.get("count") is None:
        return ""
    return f"{value['count']}{value.get('period', '')[:1]}"


def _is_optional(node: dict) -> bool:
    """meta optional: true on the source or table (as the raw loader reads it)."""
    metas = ((node.get("config") or {}).get("meta"), node.get("source_meta"), node.get("meta"))
    return any(str((meta or {}).get("optional", "")).lower() == "true" for meta in metas)


def parse_results(sources_json: dict, manifest_json: dict | None = None) -> list[SourceFreshness]:
    """SourceFreshness per result of dbt's sources.json (relation names from the manifest)."""
    manifest_sources = (manifest_json or {}).get("sources", {})
    out = []
    for result in sources_json.get("results", []):
        uid = result["unique_id"]
        node = manifest_sources.get(uid, {})
        source = ".".join(uid.split(".")[-2:])
        relation = f"{node['schema']}.{node['identifier']}" if node.get("identifier") else source
        criteria = result.get("criteria") or {}
        status = result.get("status", "runtime error")
        max_loaded_at = result.get("max_loaded_at")
        age = result.get("max_loaded_at_time_ago_in_s")
        if _is_optional(node) and (max_loaded_at or "").startswith("0001-01-01"):
            # An optional source whose file is absent is loaded as an empty table (the
            # loader's documented behaviour): nothing to judge, and not a failure.
            status, max_loaded_at, age = "empty", None, None
        out.append(
            SourceFreshness(
                source=source,
                relation=relation,
                status=status,
                max_loaded_at=max_loaded_at,
                age_seconds=age,
                warn_after=_criterion(criteria, "warn_after"),
                error_after=_criterion(criteria, "error_after"),
                message=(result.get("error") or result.get("message") or "").strip(),
            )
        )
    return sorted(out, key=lambda s: s.source)


_PERIOD_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_EMPTY_LOADED_AT = "0001-01-01T00:00:00+00:00"  # what dbt reports for a table with no rows


def _criterion_seconds(criteria: dict, key: str) -> float | None:
    value = (criteria or {}).get(key) or {}
    if value.get("count") is None or value.get("period") not in _PERIOD_SECONDS:
        return None
    return float(value["count"]) * _PERIOD_SECONDS[value["period"]]


def duckdb_source_freshness(db_path: Path, manifest_json: dict, now: datetime) -> dict:
    """``dbt source freshness`` of a DuckDB warehouse, computed in this process: for each source
    table with freshness criteria, ``max(loaded_at_field)`` (rendered in the manifest) and dbt's
    judgement (error past error_after, warn past warn_after, else pass), as a sources.json-shaped
    dict for ``parse_results``. A second dbt invocation (start, partial parse, hooks) cost about
    5 s per build for 18 one-line queries; tests/python/test_freshness.py checks both agree."""
    import duckdb

    results = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        for uid, node in sorted(manifest_json.get("sources", {}).items()):
            criteria = node.get("freshness") or {}
            limits = (_criterion_seconds(criteria, "warn_after"), _criterion_seconds(criteria, "error_after"))
            if not node.get("loaded_at_field") or limits == (None, None):
                continue
            where = f" where {criteria['filter']}" if criteria.get("filter") else ""
            try:
                (epoch,) = con.execute(f'select epoch(max({node["loaded_at_field"]})) from '
                                       f'"{node["schema"]}"."{node["identifier"]}"{where}').fetchone()
            except duckdb.Error as exc:
                results.append({"unique_id": uid, "status": "runtime error", "error": str(exc)})
                continue
            loaded = (datetime.fromtimestamp(epoch, tz=timezone.utc) if epoch is not None
                      else datetime.min.replace(tzinfo=timezone.utc))
            age = (now - loaded).total_seconds()
            warn, error = limits
            status = ("error" if error is not None and age > error
                      else "warn" if warn is not None and age > warn else "pass")
            results.append({"unique_id": uid, "status": status, "criteria": criteria,
                            "max_loaded_at": loaded.isoformat() if epoch is not None else _EMPTY_LOADED_AT,
                            "max_loaded_at_time_ago_in_s": age})
    return {"results": results}


def run_source_freshness(
    target: str,
    as_of: str | None,
    env: dict[str, str],
    console: Console | None = None,
) -> FreshnessReport:
    """Run ``dbt source freshness`` through csw.runner and read its artifacts.

    dbt's own per-source lines are not printed (``print_freshness`` shows one table).
    """
    args = freshness_args(target, as_of)
    target_dir = _target_path(args, env)
    sources_path = target_dir / "sources.json"
    sources_path.unlink(missing_ok=True)  # never report a previous run's results
    result = run_dbt(args, env=env, console=Console(quiet=True), show_progress=False)
    if not sources_path.exists():
        return FreshnessReport(sources=[], dbt=result)
    manifest_path = target_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    return FreshnessReport(
        sources=parse_results(json.loads(sources_path.read_text()), manifest), dbt=result
    )


def print_freshness(console: Console, report: FreshnessReport, mode: str) -> None:
    table = Table(title=f"source freshness (mode {mode})", show_header=True, header_style="bold",
                  box=box.SIMPLE, padding=(0, 1), pad_edge=False)
    for column in ("source", "status", "loaded (UTC)", "age", "limits"):
        table.add_column(column, no_wrap=True)
    for s in report.sources:
        style = _STYLE.get(s.status, "white")
        table.add_row(
            s.source,
            f"[{style}]{s.status.upper()}[/]",
            (s.max_loaded_at or "-").replace("T", " ")[:16],
            format_age(s.age_seconds),
            f"{s.warn_after}/{s.error_after}",
        )
    console.print(table)
    if not report.sources:
        console.print("[red]source freshness produced no results[/]", highlight=False)
        for message in (report.dbt.errors if report.dbt else []):
            console.print(f"[red]{message}[/]", highlight=False)
        return
    counts = {status: sum(1 for s in report.sources if s.status == status)
              for status in ("pass", "warn", "error", "runtime error", "empty")}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    for s in report.failing if mode == "error" else []:
        what = (f"query failed: {s.message}" if s.status == "runtime error"
                else f"last loaded {s.max_loaded_at}, {format_age(s.age_seconds)} ago "
                     f"(error after {s.error_after})")
        console.print(f"[red]✗ stale source {s.source} ({s.relation})[/]: {what}", highlight=False)
    if mode == "error" and report.failing:
        console.print(f"[red]FRESHNESS FAILED[/] ({summary}; mode error)", highlight=False)
    elif report.failing:
        console.print(f"freshness: {summary} (mode warn: reported only; "
                      "use --freshness error to fail on stale sources)", highlight=False)
    else:
        console.print(f"[green]freshness OK[/] ({summary})", highlight=False)


def exit_code(report: FreshnessReport, mode: str) -> int:
    """1 in mode ``error`` when a source is error-level stale, failed, or nothing was reported."""
    if mode != "error":
        return 0
    return 1 if (report.failing or not report.sources) else 0


_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


def _limit_seconds(limit: str) -> float | None:
    """'48h' -> 172800; '' -> None."""
    if not limit or limit[-1] not in _UNIT_SECONDS or not limit[:-1].isdigit():
        return None
    return int(limit[:-1]) * _UNIT_SECONDS[limit[-1]]


def _parse_instant(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def as_of_reference(sources: list[SourceFreshness], as_of: date | None) -> datetime | None:
    """The instant freshness of historical data is measured against: the end of the as-of day when
    given, else the latest load of billing.subscription_charges (the default as-of date's source),
    else of any source."""
    if as_of is not None:
        return datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    loads = {s.source: _parse_instant(s.max_loaded_at) for s in sources if s.max_loaded_at}
    loads = {k: v for k, v in loads.items() if v is not None}
    if "billing.subscription_charges" in loads:
        return loads["billing.subscription_charges"]
    return max(loads.values(), default=None)


def rejudge(sources: list[SourceFreshness], reference: datetime) -> list[SourceFreshness]:
    """Each source's age and status measured at `reference` instead of the wall clock, with the same
    warn_after / error_after limits (a failed query or an empty optional source stays as it is)."""
    out = []
    for s in sources:
        loaded = _parse_instant(s.max_loaded_at) if s.max_loaded_at else None
        if s.status in ("runtime error", "empty") or loaded is None:
            out.append(s)
            continue
        age = max((reference - loaded).total_seconds(), 0.0)
        warn, error = _limit_seconds(s.warn_after), _limit_seconds(s.error_after)
        status = ("error" if error is not None and age > error
                  else "warn" if warn is not None and age > warn else "pass")
        out.append(replace(s, status=status, age_seconds=age))
    return out


def check_build_freshness(args, env: dict[str, str], console: Console,
                          build: DbtResult | None = None) -> int:
    """Called by ``csw build`` after dbt build: run, print and judge freshness."""
    mode = getattr(args, "freshness", "warn")
    if mode == "off":
        return 0
    if build is not None and not build.success and not build.nodes:
        # on-run-start (the raw load) failed: the build already failed with its message,
        # and freshness would only repeat it.
        console.print("source freshness skipped: the build ran no node", highlight=False)
        return 0
    as_of = args.as_of.isoformat() if args.as_of is not None else None
    manifest_path = _target_path([], env) / "manifest.json"
    if args.target == "dev" and build is not None and build.nodes and manifest_path.exists():
        # DuckDB: the raw tables the build just loaded, read in this process
        manifest = json.loads(manifest_path.read_text())
        measured = duckdb_source_freshness(Path(env["CSW_DB_PATH"]), manifest, datetime.now(timezone.utc))
        report = FreshnessReport(sources=parse_results(measured, manifest))
    else:
        if build is not None and build.nodes:
            # the build's on-run-start loaded raw: do not read every raw file a second time
            env = {**env, "CSW_SKIP_RAW_LOAD": "1"}
        report = run_source_freshness(args.target, as_of, env)
    clock = getattr(args, "freshness_clock", "wall")
    if clock == "as-of" and report.sources:
        reference = as_of_reference(report.sources, args.as_of)
        if reference is not None:
            report = FreshnessReport(sources=rejudge(report.sources, reference), dbt=report.dbt)
            console.print(
                f"source freshness: age of each source's latest load at the data's as-of point "
                f"{reference:%Y-%m-%d %H:%M} UTC (historical data is not stale because it is old; "
                "--freshness-clock wall measures against the current time)", highlight=False)
    print_freshness(console, report, mode)
    return exit_code(report, mode)
