"""Drive dbt in-process through ``dbtRunner``, with live progress and a summary.

dbt calls event callbacks on its worker threads, and an exception raised inside
a callback turns the node into an error, so every callback here is wrapped in a
try/except and only records what it saw.
"""

from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

PROJECT_DIR = Path(__file__).resolve().parents[2]
# A project macro's `log(..., info=true)` message that starts with this is shown on the console by
# `csw build` (the raw load's summary line, a table rebuilt on upgrade); others stay in dbt.log.
CONSOLE_PREFIX = "csw: "

_STATUS_STYLE = {
    "success": ("OK", "green"),
    "pass": ("PASS", "green"),
    "warn": ("WARN", "yellow"),
    "fail": ("FAIL", "red"),
    "error": ("ERROR", "red"),
    "skipped": ("SKIP", "dim"),
    "runtimeerror": ("ERROR", "red"),
}


# What a warning or failure of a known test means and what to do, shown under its line.
EXPLANATIONS: dict[str, str] = {
    "assert_dq_no_overlapping_charges": (
        "recurring charges of one product on one subscription overlap and both count in MRR: see "
        "marts.dq_overlapping_charges; end one of them in billing if it is a mistake"),
    "assert_dq_row_reconciliation_matches_raw": (
        "a raw table and its base model hold different numbers of rows (each table, its counts and "
        "the remedy are listed below): the base model was not rebuilt after raw was loaded (a "
        "--select without it), the raw tables changed outside the loader, or an incremental run "
        "was interrupted; rebuild with csw build --full-refresh"),
    "relationships_": (
        "rows that reference a record which is not staged (quarantined, deleted or never "
        "extracted); see marts.dq_quarantine for the parent"),
}


def explain(unique_id: str) -> str | None:
    for key, text in EXPLANATIONS.items():
        if key in unique_id:
            return text
    return None


@dataclass
class NodeOutcome:
    """What dbt reported for one node (model, test, seed, unit test)."""

    unique_id: str
    resource_type: str
    status: str
    seconds: float
    message: str = ""


@dataclass
class DbtResult:
    """The outcome of one dbt invocation."""

    success: bool
    nodes: list[NodeOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # warn-level events (the loader's, dbt's)
    # unique_id -> compiled SQL of each test that failed or warned (its failing rows can be queried)
    failing_sql: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Everything dbt logged at info level or above, then the errors."""
        return "\n".join([*self.messages, *self.errors])

    def count(self, *statuses: str) -> int:
        return sum(1 for node in self.nodes if node.status in statuses)

    @property
    def failed_nodes(self) -> list[NodeOutcome]:
        return [n for n in self.nodes if n.status in ("fail", "error", "runtimeerror")]


@contextmanager
def temporary_env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a dbt invocation."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _ProgressListener:
    """Collects dbt events into a :class:`DbtResult` and updates a progress bar."""

    def __init__(self, console: Console, progress: Progress | None):
        self.console = console
        self.progress = progress
        self.task = progress.add_task("dbt", total=None) if progress else None
        self.nodes: list[NodeOutcome] = []
        self.errors: list[str] = []
        self.messages: list[str] = []
        self.warnings: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, event) -> None:  # dbt EventMsg
        try:
            self._handle(event)
        except Exception as exc:  # never let a display problem fail a node
            self.errors.append(f"progress callback failed: {exc!r}")

    def _handle(self, event) -> None:
        name = event.info.name
        if event.info.level in ("info", "warn", "error") and event.info.msg:
            with self._lock:
                self.messages.append(event.info.msg)
        if event.info.level == "warn" and event.info.msg and name not in ("LogTestResult", "LogModelResult"):
            # every warning reaches the terminal (dbt prints none under --quiet) and the summary
            message = _strip_ansi(event.info.msg.strip())
            message = message.removeprefix("[WARNING]:").strip()
            with self._lock:
                if message in self.warnings:
                    return
                self.warnings.append(message)
            self.console.print(f"[yellow]WARN[/]  {escape(message)}", highlight=False, soft_wrap=True)
        if name == "JinjaLogInfo" and event.info.msg.startswith(CONSOLE_PREFIX):
            # a project macro's message for the user (dbt prints no info line under --quiet)
            message = event.info.msg[len(CONSOLE_PREFIX):].strip()
            self.console.print(escape(message), highlight=False, soft_wrap=True)
        if name == "ConcurrencyLine" and self.progress is not None:
            self.progress.update(self.task, total=event.data.node_count)
        elif name == "NodeFinished":
            self._node_finished(event.data)
        elif event.info.level == "error" and name not in ("LogTestResult", "LogModelResult"):
            message = event.info.msg.strip()
            if message:
                with self._lock:
                    self.errors.append(message)

    def _node_finished(self, data) -> None:
        info = data.node_info
        result = data.run_result
        status = (result.status or info.node_status or "").lower()
        outcome = NodeOutcome(
            unique_id=info.unique_id,
            resource_type=info.resource_type,
            status=status,
            seconds=float(result.execution_time or 0.0),
            message=(result.message or "").strip(),
        )
        with self._lock:
            self.nodes.append(outcome)
        label, style = _STATUS_STYLE.get(status, (status.upper(), "white"))
        short_name = info.unique_id.split(".", 2)[-1]
        line = f"[{style}]{label:<5}[/] {info.resource_type:<9} {short_name} [dim]{outcome.seconds:.2f}s[/]"
        if status in ("fail", "error", "warn", "runtimeerror") and outcome.message:
            line += f"\n      [{style}]{escape(outcome.message)}[/]"
        if status in ("fail", "warn") and explain(info.unique_id):
            line += f"\n      [dim]means: {escape(explain(info.unique_id))}[/]"
        self.console.print(line, highlight=False, soft_wrap=True)
        if self.progress is not None:
            self.progress.advance(self.task)


def run_dbt(
    args: Sequence[str],
    env: dict[str, str] | None = None,
    console: Console | None = None,
    show_progress: bool = True,
) -> DbtResult:
    """Run one dbt command in-process with live progress and return what happened."""
    from dbt.cli.main import dbtRunner  # imported lazily: dbt is slow to import

    console = console or Console(stderr=True)
    full_args = [
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--quiet",
    ]
    started = time.perf_counter()
    progress = (
        Progress(
            TextColumn("[bold blue]dbt {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        if show_progress
        else None
    )
    listener = _ProgressListener(console, progress)
    with temporary_env(env or {}):
        if progress is not None:
            progress.start()
        try:
            result = dbtRunner(callbacks=[listener]).invoke(full_args)
        finally:
            _release_duckdb()
            if progress is not None:
                progress.stop()
    errors = list(listener.errors)
    if result.exception is not None:
        errors.append(str(result.exception))
    return DbtResult(
        success=bool(result.success),
        nodes=listener.nodes,
        errors=_unique([_unwrap_udf_error(message) for message in errors]),
        messages=listener.messages,
        seconds=time.perf_counter() - started,
        warnings=list(listener.warnings),
        failing_sql=_failing_test_sql(result.result),
    )


def _failing_test_sql(execution) -> dict[str, str]:
    """Compiled SQL of the tests that failed or warned in a dbt run result (empty for other commands)."""
    found = {}
    for node_result in getattr(execution, "results", None) or []:
        node = getattr(node_result, "node", None)
        status = str(getattr(node_result, "status", "")).lower()
        if node is not None and status in ("fail", "warn") and getattr(node, "compiled_code", None):
            found[node.unique_id] = node.compiled_code
    return found


def _release_duckdb() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open in this process after an invocation.

    Without this the warehouse file stays locked by this process, and DuckDB refuses
    to open it again with another configuration (e.g. read-only for a reader).
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter only
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None


def _unique(messages: list[str]) -> list[str]:
    """Each message once: exact repeats and messages contained in a longer one are dropped (dbt
    reports one failed hook as an event, a summary line and an exception)."""
    seen: dict[str, None] = {}
    for message in messages:
        seen.setdefault(message, None)
    unique = list(seen)
    core = {m: _strip_ansi(m).strip() for m in unique}
    return [m for m in unique
            if not any(o != m and core[m] and core[m] in core[o] for o in unique)]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# DuckDB's wrapping of an exception raised in a Python function called from SQL (the loader's
# csw_plan_raw_load): the message of csw's own RawInputError is the one the user needs.
_UDF_ERROR = re.compile(r"(?:Invalid Input Error: )?Python exception occurred while executing the UDF:\s*"
                        r"RawInputError:\s*")


def _unwrap_udf_error(message: str) -> str:
    """A bad raw file's message without DuckDB's UDF wrapping: `Raw file ..., line N: ...`."""
    return _UDF_ERROR.sub("", message)


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def print_summary(console: Console, title: str, result: DbtResult) -> None:
    """A short table of what ran, then every failure with its message."""
    table = Table(title=title, show_header=True, header_style="bold")
    for column in ("resource", "ok", "warn", "fail/error", "skipped"):
        table.add_column(column, justify="right" if column != "resource" else "left")
    by_type: dict[str, list[NodeOutcome]] = {}
    for node in result.nodes:
        by_type.setdefault(node.resource_type, []).append(node)
    for resource_type, nodes in sorted(by_type.items()):
        sub = DbtResult(success=True, nodes=nodes)
        table.add_row(
            resource_type,
            str(sub.count("success", "pass")),
            str(sub.count("warn")),
            str(sub.count("fail", "error", "runtimeerror")),
            str(sub.count("skipped")),
        )
    console.print(table)
    for node in result.failed_nodes:
        console.print(f"[red]✗ {node.unique_id}[/]: {escape(node.message)}", highlight=False)
        if explain(node.unique_id):
            console.print(f"    means: {escape(explain(node.unique_id))}", highlight=False)
    for node in [n for n in result.nodes if n.status == "warn"]:
        console.print(f"[yellow]! {node.unique_id}[/]: {escape(node.message)}"
                      + (f" - {escape(explain(node.unique_id))}" if explain(node.unique_id) else ""),
                      highlight=False)
    for message in result.errors:
        console.print(f"[red]{escape(message)}[/]", highlight=False)
    if result.warnings:
        console.print(f"[yellow]{len(result.warnings)} warning(s):[/]", highlight=False)
        for message in result.warnings:
            console.print(f"[yellow]  ! {escape(message)}[/]", highlight=False, soft_wrap=True)
    verdict = "[green]PASSED[/]" if result.success else "[red]FAILED[/]"
    console.print(f"{verdict} in {result.seconds:.1f}s", highlight=False)
