"""DAG rules on dbt's manifest, in the spirit of dbt-project-evaluator.

Run ``python -m csw.quality`` (``make lint`` does): it runs ``dbt parse`` through
csw.runner, reads ``<target>/manifest.json`` and prints every violation with the
node's name; exit code 1 on any violation. Nothing here reads SQL: every rule uses
the manifest's ``depends_on``, ``original_file_path``, descriptions and tests.

Layers come from the model's path: ``models/staging/**`` (``base_`` and ``stg_``
models), ``models/intermediate/**``, ``models/marts/**``.

Rules (docs/quality_gates.md explains each choice):

- ``mart_reads_source``: a mart depends on a source directly.
- ``staging_reads_staging``: a staging model depends on another staging model. The
  one exception is ``stg_<source>__<table>`` reading its own ``base_<source>__<table>``
  (the base table + view pattern of DECISIONS.md); a ``base_`` model never reads
  another model, and no ``stg_`` reads another table's ``stg_``/``base_``.
- ``reads_mart``: a staging or intermediate model depends on a mart.
- ``missing_model_description`` / ``missing_column_description``: the model, or a
  column declared in its YAML, has an empty description.
- ``missing_primary_key_test``: the model has neither ``unique`` + ``not_null`` on the
  same column nor a ``unique_combination_of_columns`` test.
- ``incremental_test_reads_every_row``: a data test of an incremental model that carries the
  run stamp (a documented ``_csw_invocation_id`` column) checks every row on a daily run: it
  sets neither ``where: "__csw_rows_of_this_run__"`` nor ``keys_written_in`` (DECISIONS.md,
  "Incremental downstream models"). ``relationships`` tests are exempt: an old row can break
  by a change in the parent, so they always check every row.
- ``unused_model``: a staging or intermediate model that no model, snapshot,
  exposure, semantic model, metric or saved query uses (tests do not count). Marts
  are end products and are exempt; so is a MetricFlow time spine (``time_spine``
  config), which the semantic layer reads by configuration, not by ``ref``.

``ALLOWED`` lists explicit, justified exceptions as (rule, model name) -> reason.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

RULES = (
    "mart_reads_source",
    "staging_reads_staging",
    "reads_mart",
    "missing_model_description",
    "missing_column_description",
    "missing_primary_key_test",
    "incremental_test_reads_every_row",
    "unused_model",
)

# (rule, model name) -> why it is accepted. Keep this short and justified.
ALLOWED: dict[tuple[str, str], str] = {
    # Orphan quarantine (DECISIONS.md, "Orphans are quarantined, not dropped"): a row whose
    # parent is not staged gets reason orphan:<fk> in its base table, so these two base
    # models read the parent's staged keys. A referential check, not a transformation chain.
    ("staging_reads_staging", "base_billing__subscriptions"): (
        "orphan quarantine: a subscription needs its billing account staged (orphan:billing_account_id)"
    ),
    ("staging_reads_staging", "base_billing__subscription_charges"): (
        "orphan quarantine: a charge needs its subscription staged (orphan:subscription_id)"
    ),
    # Staging covers every raw table of docs/spec/raw_sources.md (one stg_ per table, the
    # row reconciliation proves nothing is lost); these have no mart consumer yet.
    ("unused_model", "stg_crm__opportunities"): "staged for completeness: no pipeline mart yet",
    ("unused_model", "stg_crm__users"): (
        "staged for completeness; the target of stg_crm__accounts.owner_user_id relationships test"
    ),
    # Ephemeral (no relation to test): the customer months a run recomputes, a filter of the
    # snapshot spine, whose key tests cover its rows; test_incremental checks what is built from it.
    ("missing_primary_key_test", "int_customer_health__snapshot_months"): (
        "ephemeral: a filter of int_customer_months__customer_success_snapshot, which has the key test"
    ),
}

# Resource types whose depends_on counts as a downstream use of a model.
_CONSUMER_SECTIONS = ("nodes", "exposures", "semantic_models", "metrics", "saved_queries")
_CONSUMER_TYPES = {"model", "snapshot", "exposure", "semantic_model", "metric", "saved_query", "analysis"}


@dataclass(frozen=True, order=True)
class Violation:
    rule: str
    node: str  # model name
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.node}: {self.detail}"


# ---------------------------------------------------------------- manifest helpers


def models(manifest: dict) -> dict[str, dict]:
    """Enabled models of the root project (packages are not ours to judge)."""
    project = manifest.get("metadata", {}).get("project_name")
    return {
        uid: node
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model"
        and (project is None or node.get("package_name") == project)
        and node.get("config", {}).get("enabled", True)
    }


def layer(node: dict) -> str:
    """staging | intermediate | marts | other, from the model's path."""
    path = node.get("original_file_path", "").replace("\\", "/")
    for name in ("staging", "intermediate", "marts"):
        if path.startswith(f"models/{name}/"):
            return name
    return "other"


def _parents(node: dict) -> list[str]:
    return list(node.get("depends_on", {}).get("nodes", []))


def _name(manifest: dict, uid: str) -> str:
    node = manifest.get("nodes", {}).get(uid) or manifest.get("sources", {}).get(uid)
    if node and uid.startswith("source."):
        return f"source {node.get('source_name')}.{node.get('name')}"
    return node.get("name", uid) if node else uid


def _staging_entity(name: str) -> tuple[str, str] | None:
    """('stg'|'base', '<source>__<table>') for staging model names."""
    for prefix in ("stg", "base"):
        if name.startswith(prefix + "_"):
            return prefix, name[len(prefix) + 1:]
    return None


# ---------------------------------------------------------------- rules


def check_mart_reads_source(manifest: dict) -> list[Violation]:
    out = []
    for node in models(manifest).values():
        if layer(node) != "marts":
            continue
        for parent in _parents(node):
            if parent.startswith("source."):
                out.append(Violation("mart_reads_source", node["name"],
                                     f"reads {_name(manifest, parent)} directly; go through staging"))
    return out


def _model_reads(manifest: dict, layers: tuple[str, ...]) -> Iterator[tuple[dict, dict]]:
    """(model, parent model) for every model of `layers` and each model it reads."""
    all_models = models(manifest)
    for node in all_models.values():
        if layer(node) not in layers:
            continue
        for parent in _parents(node):
            parent_node = all_models.get(parent)
            if parent_node is not None:
                yield node, parent_node


def check_staging_reads_staging(manifest: dict) -> list[Violation]:
    out = []
    for node, parent_node in _model_reads(manifest, ("staging",)):
        if layer(parent_node) != "staging":
            continue
        me = _staging_entity(node["name"])
        other = _staging_entity(parent_node["name"])
        if me is not None and me[0] == "stg" and other == ("base", me[1]):
            continue  # stg_<x> reads its own base_<x>
        out.append(Violation("staging_reads_staging", node["name"],
                             f"reads staging model {parent_node['name']}"))
    return out


def check_reads_mart(manifest: dict) -> list[Violation]:
    return [
        Violation("reads_mart", node["name"],
                  f"{layer(node)} model reads mart {parent_node['name']}")
        for node, parent_node in _model_reads(manifest, ("staging", "intermediate"))
        if layer(parent_node) == "marts"
    ]


def check_descriptions(manifest: dict) -> list[Violation]:
    out = []
    for node in models(manifest).values():
        if not (node.get("description") or "").strip():
            out.append(Violation("missing_model_description", node["name"], "model has no description"))
        for column in node.get("columns", {}).values():
            if not (column.get("description") or "").strip():
                out.append(Violation("missing_column_description", node["name"],
                                     f"column {column.get('name')} has no description"))
    return out


def _tests_by_model(manifest: dict) -> dict[str, list[dict]]:
    by_model: dict[str, list[dict]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test" or not node.get("test_metadata"):
            continue
        if not node.get("config", {}).get("enabled", True):
            continue
        attached = node.get("attached_node")
        if attached is None:
            parents = [p for p in _parents(node) if p.startswith("model.")]
            attached = parents[0] if len(parents) == 1 else None
        if attached:
            by_model.setdefault(attached, []).append(node)
    return by_model


def has_primary_key_test(tests: Iterable[dict], columns: dict | None = None) -> bool:
    """unique + not_null on one column, or a unique_combination_of_columns test.

    A ``not_null`` (or ``primary_key``) constraint on a column of a contract-enforced
    model stands for the not_null test: the build itself refuses a NULL there.
    """
    unique: set[str] = set()
    not_null: set[str] = {
        name
        for name, column in (columns or {}).items()
        if any(c.get("type") in ("not_null", "primary_key") for c in column.get("constraints") or [])
    }
    for test in tests:
        meta = test["test_metadata"]
        name = meta.get("name")
        column = test.get("column_name") or meta.get("kwargs", {}).get("column_name")
        if name == "unique_combination_of_columns":
            return True
        if name == "unique" and column:
            unique.add(column)
        elif name == "not_null" and column:
            not_null.add(column)
    return bool(unique & not_null)


def check_primary_key_tests(manifest: dict) -> list[Violation]:
    tests = _tests_by_model(manifest)
    return [
        Violation("missing_primary_key_test", node["name"],
                  "no unique + not_null on one column and no unique_combination_of_columns test")
        for uid, node in models(manifest).items()
        if not has_primary_key_test(tests.get(uid, []), node.get("columns"))
    ]


def _checks_rows_of_this_run(test: dict) -> bool:
    where = test.get("config", {}).get("where") or ""
    kwargs = test["test_metadata"].get("kwargs", {})
    return "__csw_rows_of_this_run__" in where or kwargs.get("keys_written_in") is not None


def check_incremental_tests(manifest: dict) -> list[Violation]:
    tests = _tests_by_model(manifest)
    return [
        Violation("incremental_test_reads_every_row", node["name"],
                  f"data test {test['name']} checks every row on a daily run "
                  "(set where: \"__csw_rows_of_this_run__\")")
        for uid, node in models(manifest).items()
        if node.get("config", {}).get("materialized") == "incremental"
        and "_csw_invocation_id" in (node.get("columns") or {})
        for test in tests.get(uid, [])
        if test["test_metadata"].get("name") != "relationships" and not _checks_rows_of_this_run(test)
    ]


def _consumers(manifest: dict) -> dict[str, set[str]]:
    """Model uid -> uids of the nodes that use it (tests and unit tests excluded)."""
    used_by: dict[str, set[str]] = {}
    for section in _CONSUMER_SECTIONS:
        for uid, node in (manifest.get(section) or {}).items():
            kind = node.get("resource_type") or uid.split(".", 1)[0]
            if kind not in _CONSUMER_TYPES:
                continue
            for parent in _parents(node):
                used_by.setdefault(parent, set()).add(uid)
    return used_by


def check_unused_models(manifest: dict) -> list[Violation]:
    used_by = _consumers(manifest)
    return [
        Violation("unused_model", node["name"],
                  f"{layer(node)} model has no downstream model or exposure")
        for uid, node in models(manifest).items()
        if layer(node) != "marts" and not used_by.get(uid)
        and not node.get("time_spine")  # MetricFlow reads its time spine by configuration
    ]


CHECKS: tuple[Callable[[dict], list[Violation]], ...] = (
    check_mart_reads_source,
    check_staging_reads_staging,
    check_reads_mart,
    check_descriptions,
    check_primary_key_tests,
    check_incremental_tests,
    check_unused_models,
)


def check_manifest(manifest: dict, allowed: dict[tuple[str, str], str] | None = None
                   ) -> tuple[list[Violation], list[tuple[Violation, str]]]:
    """(violations, allowed violations with their reason), sorted."""
    allowed = ALLOWED if allowed is None else allowed
    found = sorted({v for check in CHECKS for v in check(manifest)})
    kept = [v for v in found if (v.rule, v.node) not in allowed]
    excused = [(v, allowed[(v.rule, v.node)]) for v in found if (v.rule, v.node) in allowed]
    return kept, excused


# ---------------------------------------------------------------- command line


def parse_manifest(target_path: Path, env: dict[str, str] | None = None) -> Path:
    """``dbt parse`` through csw.runner; returns the manifest path."""
    from csw.runner import run_dbt

    result = run_dbt(["parse", "--target-path", str(target_path)], env=env, show_progress=False)
    if not result.success:
        raise SystemExit("dbt parse failed:\n" + result.text)
    return target_path / "manifest.json"


def run(manifest: Path | None = None, target_path: Path | None = None) -> int:
    """Check the DAG rules on ``manifest`` (default: ``dbt parse`` into ``target_path``), print every
    allowed case and violation; 0 when none is left."""
    from csw.runner import PROJECT_DIR

    manifest_path = manifest or parse_manifest((target_path or PROJECT_DIR / "target").resolve())
    manifest_json = json.loads(manifest_path.read_text())
    violations, excused = check_manifest(manifest_json)
    for violation, reason in excused:
        print(f"allowed  {violation}  [{reason}]")
    for violation in violations:
        print(f"VIOLATION {violation}")
    checked = len(models(manifest_json))
    if violations:
        print(f"csw.quality: {len(violations)} violation(s) in {checked} models")
        return 1
    print(f"csw.quality: {checked} models pass {len(RULES)} DAG rules ({len(excused)} allowed)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m csw.quality [--manifest FILE] [--target-path DIR]`` = ``csw quality ...``."""
    from csw.cli import main as csw_main

    return csw_main(["quality", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
