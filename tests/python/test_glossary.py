"""Japanese labels of the semantic layer and the customer-success glossary seed.

Reads the manifest of an in-process ``dbt parse``: a metric added to
``models/semantic/_semantic__metrics.yml`` without ``config.meta.label_ja`` and
``config.meta.description_ja`` fails here by name, and every ``implemented_by`` reference
of ``seeds/cs_glossary.csv`` must resolve to a metric, a documented mart column or a
``movement_type`` value of ``fct_mrr_movements``.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from csw.runner import run_dbt

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "seeds" / "cs_glossary.csv"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

REQUIRED_TERMS_JA = (
    "カスタマーサクセス", "チャーンレート", "NPS", "LTV", "CSAT", "オンボーディング", "アダプション",
    "リテンション", "アップセル", "クロスセル", "ダウンセル", "ウィンバック", "ヘルススコア",
    "ハイタッチ", "ロータッチ", "テックタッチ", "コミュニティタッチ", "エスカレーション",
    "セグメンテーション", "カスタマージャーニー", "MRR", "ARR", "NRR", "GRR",
)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("glossary_parse")
    result = run_dbt(
        ["parse", "--target-path", str(tmp / "target")],
        env={"CSW_DB_PATH": str(tmp / "parse.duckdb")},
        show_progress=False,
    )
    assert result.success, result.errors
    return json.loads((tmp / "target" / "manifest.json").read_text("utf-8"))


def _glossary() -> list[dict[str, str]]:
    with GLOSSARY.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_metric_has_a_japanese_label_and_description(manifest):
    metrics = manifest["metrics"].values()
    assert len(metrics) >= 44
    missing = []
    for metric in metrics:
        meta = (metric.get("config") or {}).get("meta") or {}
        for key in ("label_ja", "description_ja"):
            value = (meta.get(key) or "").strip()
            if not JAPANESE.search(value):
                missing.append(f"{metric['name']}.config.meta.{key}")
    assert missing == [], (
        "metrics without a Japanese label/description in models/semantic/_semantic__metrics.yml "
        f"(add config: meta: {{label_ja, description_ja}}): {missing}"
    )


def test_glossary_covers_the_cs_vocabulary():
    rows = _glossary()
    keys = [r["term_key"] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate term_key"
    terms = {r["term_ja"] for r in rows}
    assert [t for t in REQUIRED_TERMS_JA if t not in terms] == []
    for r in rows:
        assert all((r[c] or "").strip() for c in r), f"empty field in {r['term_key']}"
        assert JAPANESE.search(r["definition_ja"]), r["term_key"]


def test_glossary_references_exist(manifest):
    metrics = {m["name"] for m in manifest["metrics"].values()}
    models = {
        n["name"]: n for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }
    movement_types: set[str] = set()
    for n in manifest["nodes"].values():
        meta = n.get("test_metadata") or {}
        if (meta.get("name") == "accepted_values" and n.get("column_name") == "movement_type"
                and n.get("attached_node", "").endswith(".fct_mrr_movements")):
            movement_types.update(meta["kwargs"]["values"])
    assert movement_types, "no accepted_values test on fct_mrr_movements.movement_type"

    broken = []
    for row in _glossary():
        for ref in row["implemented_by"].split(";"):
            kind, _, name = ref.strip().partition(":")
            if kind == "metric":
                ok = name in metrics
            elif kind == "mart":
                model, _, column = name.partition(".")
                ok = model in models and column in models[model]["columns"]
            elif kind == "movement_type":
                ok = name in movement_types
            else:
                ok = False
            if not ok:
                broken.append(f"{row['term_key']}: {ref}")
    assert broken == [], f"glossary implemented_by references that do not exist: {broken}"
