"""Exposures name exactly what their consumers read.

csw_static_report = the relations scripts/csw/report/queries.py queries; bi_dashboard = the
marts the datasets of bi/superset/dashboards.yml read (tables, and names in their SQL);
published_snapshot = every mart (what `csw publish` exports). Reads the manifest of an
in-process `dbt parse`; it also holds the copy of the semantic layer in the unit tests of
agg_metrics_monthly to the manifest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from csw.bi.superset import load_spec
from csw.runner import run_dbt

ROOT = Path(__file__).resolve().parents[2]
REPORT_DIR = ROOT / "scripts" / "csw" / "report"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("exposures_parse")
    result = run_dbt(["parse", "--target-path", str(tmp / "target")],
                     env={"CSW_DB_PATH": str(tmp / "parse.duckdb")}, show_progress=False)
    assert result.success, result.errors
    return json.loads((tmp / "target" / "manifest.json").read_text("utf-8"))


def _marts(manifest: dict) -> set[str]:
    return {n["name"] for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["fqn"][1] == "marts"}


def _exposure(manifest: dict, name: str) -> set[str]:
    exposure = manifest["exposures"][f"exposure.customer_success_warehouse.{name}"]
    return {manifest["nodes"][uid]["name"] for uid in exposure["depends_on"]["nodes"]}


def test_report_exposure_is_what_the_report_queries(manifest):
    text = "\n".join(p.read_text() for p in sorted(REPORT_DIR.glob("*.py")))
    read = set(re.findall(r"\b(?:marts|seeds)\.([a-z_]+)\b", text))
    assert read, "no marts.<name> in the report's queries"
    assert _exposure(manifest, "csw_static_report") == read


def test_bi_exposure_is_what_the_dashboards_query(manifest):
    marts = _marts(manifest)
    read: set[str] = set()
    for dataset in load_spec()["datasets"].values():
        if dataset.get("table"):
            read.add(dataset["table"])
        else:
            read |= set(re.findall(r"\b(?:from|join)\s+(?:main\.|marts\.)?([a-z_]+)", dataset["sql"])) & marts
    assert read <= marts
    assert _exposure(manifest, "bi_dashboard") == read


def test_published_snapshot_exposure_is_every_mart(manifest):
    assert _exposure(manifest, "published_snapshot") == _marts(manifest)


def test_every_mart_has_an_owner_group_and_the_overview_links_the_glossary(manifest):
    groups = {g["name"]: g for g in manifest["groups"].values()}
    marts = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts"]
    assert [n["name"] for n in marts if n.get("group") not in groups] == []
    assert all(g["owner"].get("email") for g in groups.values())
    overview = manifest["docs"]["doc.customer_success_warehouse.__overview__"]["block_contents"]
    assert "seed.customer_success_warehouse.cs_glossary" in overview
    assert "How to read the MRR bridge" in overview and "Where each metric is defined" in overview


def _is_subset(copy, actual, path: str, problems: list[str]) -> None:
    """Every key and value of `copy` stands in `actual` at the same place (a list of named
    entries: each entry as the one of that name; another list: equal)."""
    if isinstance(copy, dict):
        if not isinstance(actual, dict):
            problems.append(f"{path}: {actual!r} is not a mapping")
            return
        for key, value in copy.items():
            if key not in actual:
                problems.append(f"{path}.{key}: not in the manifest")
            else:
                _is_subset(value, actual[key], f"{path}.{key}", problems)
    elif isinstance(copy, list) and all(isinstance(c, dict) and "name" in c for c in copy):
        named = {a.get("name"): a for a in actual if isinstance(a, dict)} if isinstance(actual, list) else {}
        for entry in copy:
            if entry["name"] not in named:
                problems.append(f"{path}[{entry['name']}]: not in the manifest")
            else:
                _is_subset(entry, named[entry["name"]], f"{path}[{entry['name']}]", problems)
    elif copy != actual:
        problems.append(f"{path}: {copy!r} != {actual!r}")


def test_metrics_unit_tests_restate_the_semantic_layer_as_it_is(manifest):
    """The unit tests of agg_metrics_monthly give the generator a copy of the semantic layer
    (dbt compiles a unit test without `graph`; models/marts/metrics/_metrics__unit_tests.yml):
    the copy names every metric and every semantic model with measures, and each field it
    restates is the manifest's. A changed metric or measure fails here until the copy follows."""
    tests = yaml.safe_load((ROOT / "models/marts/metrics/_metrics__unit_tests.yml").read_text("utf-8"))
    copies = [t["overrides"]["macros"]["graph"] for t in tests["unit_tests"] if t["model"] == "agg_metrics_monthly"]
    assert copies, "no agg_metrics_monthly unit test with a graph override"
    project = "customer_success_warehouse"
    semantic_models = {k: v for k, v in manifest["semantic_models"].items()
                       if v["package_name"] == project and v["measures"]}
    metrics = {k: v for k, v in manifest["metrics"].items() if v["package_name"] == project}
    for copy in copies:
        assert set(copy["semantic_models"]) == set(semantic_models)
        assert set(copy["metrics"]) == set(metrics)
        problems: list[str] = []
        _is_subset(copy["semantic_models"], semantic_models, "semantic_models", problems)
        _is_subset(copy["metrics"], metrics, "metrics", problems)
        _is_subset(copy["nodes"], manifest["nodes"], "nodes", problems)
        assert not problems, "\n".join(problems)
