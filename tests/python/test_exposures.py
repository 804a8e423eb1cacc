"""Exposures name exactly what their consumers read.

csw_static_report = the relations scripts/csw/report/queries.py queries; bi_dashboard = the
marts the datasets of bi/superset/dashboards.yml read (tables, and names in their SQL);
published_snapshot = every mart (what `csw publish` exports). Reads the manifest of an
in-process `dbt parse`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from csw.bi.superset import load_spec
from csw.runner import run_dbt

ROOT = Path(__file__).resolve().parents[2]
REPORT_QUERIES = ROOT / "scripts" / "csw" / "report" / "queries.py"


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
    text = REPORT_QUERIES.read_text()
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
