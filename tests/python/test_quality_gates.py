"""DAG rules of scripts/csw/quality.py: the project passes; each rule catches its case.

The rule tests use tiny hand-written manifest dicts (no dbt run); only
test_project_passes parses the project (partial parse into target/, as make lint does).
"""

from __future__ import annotations

import copy
import json

import pytest

from csw import quality

PKG = "customer_success_warehouse"


def _model(name: str, path: str, parents=(), description="A model.", columns=None) -> dict:
    return {
        "resource_type": "model",
        "package_name": PKG,
        "name": name,
        "original_file_path": path,
        "description": description,
        "depends_on": {"nodes": list(parents)},
        "columns": columns if columns is not None else {"id": {"name": "id", "description": "Key."}},
        "config": {"enabled": True},
    }


def _test(kind: str, model: str, column: str | None = None, **kwargs) -> dict:
    return {
        "resource_type": "test",
        "package_name": PKG,
        "name": f"{kind}_{model}_{column}",
        "attached_node": f"model.{PKG}.{model}",
        "column_name": column,
        "test_metadata": {"name": kind, "kwargs": kwargs},
        "depends_on": {"nodes": [f"model.{PKG}.{model}"]},
        "config": {"enabled": True},
    }


def _uid(name: str) -> str:
    return f"model.{PKG}.{name}"


SOURCE = f"source.{PKG}.crm.accounts"


def clean_manifest() -> dict:
    """A valid three-layer DAG: source -> base -> stg -> int -> mart (+ PK tests)."""
    models = {
        "base_crm__accounts": _model("base_crm__accounts", "models/staging/crm/base/base_crm__accounts.sql",
                                     [SOURCE]),
        "stg_crm__accounts": _model("stg_crm__accounts", "models/staging/crm/stg_crm__accounts.sql",
                                    [_uid("base_crm__accounts")]),
        "int_customers": _model("int_customers", "models/intermediate/int_customers.sql",
                                [_uid("stg_crm__accounts")]),
        "dim_customers": _model("dim_customers", "models/marts/core/dim_customers.sql", [_uid("int_customers")]),
    }
    nodes = {_uid(name): node for name, node in models.items()}
    for name in models:
        for kind in ("unique", "not_null"):
            test = _test(kind, name, "id", column_name="id")
            nodes[f"test.{PKG}.{test['name']}"] = test
    return {
        "metadata": {"project_name": PKG},
        "nodes": nodes,
        "sources": {SOURCE: {"resource_type": "source", "source_name": "crm", "name": "accounts"}},
        "exposures": {},
    }


def violations(manifest: dict) -> set[tuple[str, str]]:
    found, _ = quality.check_manifest(manifest, allowed={})
    return {(v.rule, v.node) for v in found}


@pytest.fixture()
def manifest() -> dict:
    return copy.deepcopy(clean_manifest())


def test_clean_synthetic_manifest_passes(manifest):
    assert violations(manifest) == set()


def test_mart_reading_a_source_is_flagged(manifest):
    manifest["nodes"][_uid("dim_customers")]["depends_on"]["nodes"].append(SOURCE)
    assert violations(manifest) == {("mart_reads_source", "dim_customers")}


def test_staging_reading_another_tables_staging_is_flagged(manifest):
    other = _model("stg_crm__users", "models/staging/crm/stg_crm__users.sql", [SOURCE])
    manifest["nodes"][_uid("stg_crm__users")] = other
    manifest["nodes"][_uid("stg_crm__accounts")]["depends_on"]["nodes"].append(_uid("stg_crm__users"))
    found = violations(manifest)
    assert ("staging_reads_staging", "stg_crm__accounts") in found


def test_stg_may_read_its_own_base_but_base_may_not_read_stg(manifest):
    assert ("staging_reads_staging", "stg_crm__accounts") not in violations(manifest)
    manifest["nodes"][_uid("base_crm__accounts")]["depends_on"]["nodes"].append(_uid("stg_crm__accounts"))
    assert ("staging_reads_staging", "base_crm__accounts") in violations(manifest)


def test_stg_reading_another_tables_base_is_flagged(manifest):
    base = _model("base_crm__users", "models/staging/crm/base/base_crm__users.sql", [SOURCE])
    manifest["nodes"][_uid("base_crm__users")] = base
    manifest["nodes"][_uid("stg_crm__accounts")]["depends_on"]["nodes"].append(_uid("base_crm__users"))
    assert ("staging_reads_staging", "stg_crm__accounts") in violations(manifest)


@pytest.mark.parametrize("reader", ["int_customers", "stg_crm__accounts"])
def test_intermediate_or_staging_reading_a_mart_is_flagged(manifest, reader):
    manifest["nodes"][_uid(reader)]["depends_on"]["nodes"].append(_uid("dim_customers"))
    assert ("reads_mart", reader) in violations(manifest)


def test_missing_descriptions_are_flagged(manifest):
    node = manifest["nodes"][_uid("int_customers")]
    node["description"] = "  "
    node["columns"]["name"] = {"name": "name", "description": ""}
    assert violations(manifest) == {("missing_model_description", "int_customers"),
                                    ("missing_column_description", "int_customers")}


def test_missing_primary_key_test_is_flagged(manifest):
    manifest["nodes"] = {uid: n for uid, n in manifest["nodes"].items()
                         if not (n["resource_type"] == "test" and n["attached_node"] == _uid("dim_customers")
                                 and n["test_metadata"]["name"] == "not_null")}
    assert violations(manifest) == {("missing_primary_key_test", "dim_customers")}


def test_a_test_of_a_stamped_incremental_model_must_check_the_rows_of_the_run(manifest):
    node = manifest["nodes"][_uid("base_crm__accounts")]
    node["config"]["materialized"] = "incremental"
    node["columns"]["_csw_invocation_id"] = {"name": "_csw_invocation_id", "description": "Run."}
    assert violations(manifest) == {("incremental_test_reads_every_row", "base_crm__accounts")}
    tests = [t for t in manifest["nodes"].values()
             if t["resource_type"] == "test" and t["attached_node"] == _uid("base_crm__accounts")]
    for test in tests:  # the rows of the run (where), or only the keys written (keys_written_in)
        if test["test_metadata"]["name"] == "unique":
            test["config"]["where"] = "__csw_rows_of_this_run__"
        else:
            test["test_metadata"]["kwargs"]["keys_written_in"] = "ref('base_crm__accounts')"
    relationships = _test("relationships", "base_crm__accounts", "id", to="ref('x')", field="id")
    manifest["nodes"][f"test.{PKG}.{relationships['name']}"] = relationships  # checks every row
    assert violations(manifest) == set()
    del node["columns"]["_csw_invocation_id"]  # no run stamp (fct_customer_health): every row
    for test in tests:
        test["config"].pop("where", None)
    assert violations(manifest) == set()


def test_unique_and_not_null_must_be_on_the_same_column():
    tests = [_test("unique", "m", "a"), _test("not_null", "m", "b")]
    assert not quality.has_primary_key_test(tests)
    assert quality.has_primary_key_test([*tests, _test("not_null", "m", "a")])


def test_combination_test_or_not_null_constraint_counts_as_primary_key():
    assert quality.has_primary_key_test([_test("unique_combination_of_columns", "m",
                                               combination_of_columns=["a", "b"])])
    columns = {"a": {"name": "a", "constraints": [{"type": "not_null"}]}}
    assert quality.has_primary_key_test([_test("unique", "m", "a")], columns)
    assert not quality.has_primary_key_test([], columns)


def test_unused_non_mart_model_is_flagged_but_marts_and_exposures_are_fine(manifest):
    manifest["nodes"][_uid("int_orphan")] = _model("int_orphan", "models/intermediate/int_orphan.sql",
                                                   [_uid("stg_crm__accounts")])
    for kind in ("unique", "not_null"):
        test = _test(kind, "int_orphan", "id")  # tests are not a downstream use
        manifest["nodes"][f"test.{PKG}.{test['name']}"] = test
    assert violations(manifest) == {("unused_model", "int_orphan")}

    manifest["exposures"]["exposure.p.dashboard"] = {
        "resource_type": "exposure", "depends_on": {"nodes": [_uid("int_orphan")]}}
    assert violations(manifest) == set()  # dim_customers (a mart) has no consumer and is fine


def test_metricflow_time_spine_is_used_by_configuration(manifest):
    spine = _model("metricflow_time_spine", "models/semantic/metricflow_time_spine.sql")
    manifest["nodes"][_uid("metricflow_time_spine")] = spine
    for kind in ("unique", "not_null"):
        test = _test(kind, "metricflow_time_spine", "id")
        manifest["nodes"][f"test.{PKG}.{test['name']}"] = test
    assert violations(manifest) == {("unused_model", "metricflow_time_spine")}
    spine["time_spine"] = {"standard_granularity_column": "id"}
    assert violations(manifest) == set()


def test_allow_list_excuses_a_named_violation(manifest):
    manifest["nodes"][_uid("dim_customers")]["depends_on"]["nodes"].append(SOURCE)
    kept, excused = quality.check_manifest(manifest, allowed={("mart_reads_source", "dim_customers"): "why"})
    assert kept == [] and [(v.node, reason) for v, reason in excused] == [("dim_customers", "why")]


def test_every_allow_list_entry_names_a_known_rule():
    assert all(rule in quality.RULES for rule, _ in quality.ALLOWED)


def test_project_passes(capsys, tmp_path):
    # a target path of its own: `make lint` may be parsing into target/ at the same time
    rc = quality.main(["--target-path", str(tmp_path / "target")])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "VIOLATION" not in out
    # the allow-list is not stale: every entry is still needed
    assert out.count("allowed  ") == len(quality.ALLOWED)


def test_main_reports_violations_with_exit_code_1(tmp_path, capsys, manifest):
    manifest["nodes"][_uid("dim_customers")]["depends_on"]["nodes"].append(SOURCE)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    assert quality.main(["--manifest", str(path)]) == 1
    assert "VIOLATION mart_reads_source: dim_customers" in capsys.readouterr().out
