"""Apache Superset (from PyPI, own venv) reads the published snapshot: marker `bi`.

One Superset per module (scripts/csw/bi/superset.py): `.venv-superset` built once and reused,
a throwaway home with a SQLite metadata database, `superset run` on a free 127.0.0.1 port.
The dashboards of bi/superset/dashboards.yml are imported through /api/v1/assets/import/;
then every chart's data, read through POST /api/v1/chart/data with the chart's saved query
context, must equal the same query run on the published marts with the project's DuckDB, and
a chart must keep answering (old or new snapshot, never an error) while `csw build` and
`csw publish` replace the data. First run: ~5 min to install Superset; then ~2-3 min.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from csw.bi.superset import SupersetServer, import_dashboards, load_spec
from csw.cli import main as csw_main
from csw.publish import CATALOG_NAME

pytestmark = pytest.mark.bi


@pytest.fixture(scope="module")
def superset(demo_published):
    warehouse, published = demo_published
    with SupersetServer() as server:
        server.timings["import"] = import_dashboards(server, published)
        print(f"Superset timings (s): {server.timings}")
        yield server, warehouse, published


def _value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return value


def _chart_value(column: str, value):
    if column == "month" and isinstance(value, (int, float)):  # epoch milliseconds
        return datetime.fromtimestamp(value / 1000, timezone.utc).date().isoformat()
    return value


def expected_rows(con, spec: dict, chart: dict) -> list[dict]:
    """The chart's query written by hand in SQL on the published catalog."""
    dataset = spec["datasets"][chart["dataset"]]
    source = f'main."{dataset["table"]}"' if dataset.get("table") else f"({dataset['sql']})"
    where = " and ".join(f'"{c}" = ?' for c in (chart.get("filters") or {})) or "true"
    params = list((chart.get("filters") or {}).values())
    if chart.get("columns"):
        select, group = ", ".join(f'"{c}"' for c in chart["columns"]), ""
    else:
        keys = ([chart["x"]] if chart.get("x") else []) + list(chart.get("groupby", []))
        select = ", ".join([*(f'"{k}"' for k in keys),
                            *(f'{expr} as "{label}"' for label, expr in chart["metrics"].items())])
        quoted = ", ".join(f'"{k}"' for k in keys)
        group = f"group by {quoted}" if keys else ""
    cursor = con.execute(f"select {select} from {source} as d where {where} {group}", params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, map(_value, row))) for row in cursor.fetchall()]


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _key(row: dict) -> tuple:
    return tuple(str(row[k]) for k in sorted(row))


def compare(got: list[dict], expected: list[dict]) -> list[str]:
    got = [{k: _chart_value(k, v) for k, v in row.items()} for row in got]
    if len(got) != len(expected):
        return [f"{len(got)} rows from Superset, {len(expected)} in the marts"]
    problems = []
    for g, e in zip(sorted(got, key=_key), sorted(expected, key=_key)):
        if set(g) != set(e) or not all(_same(g[k], e[k]) for k in e):
            problems.append(f"superset {g} != marts {e}")
    return problems


def test_dashboards_import_and_every_chart_equals_the_marts(superset):
    server, _, published = superset
    spec = load_spec()
    titles = {d["dashboard_title"] for d in server.dashboards()}
    assert titles == {d["title"] for d in spec["dashboards"]}
    charts = {c["slice_name"]: c["id"] for c in server.charts()}
    problems = {}
    with duckdb.connect(str(published / "current" / CATALOG_NAME), read_only=True) as con:
        for dashboard in spec["dashboards"]:
            for chart in dashboard["charts"]:
                got = server.chart_data(charts[chart["name"]])
                assert got, f"{chart['name']}: no rows"
                found = compare(got, expected_rows(con, spec, chart))
                if found:
                    problems[chart["name"]] = found[:5]
    assert problems == {}


def test_a_chart_keeps_answering_while_build_and_publish_run(superset, tmp_path: Path):
    server, warehouse, published = superset
    spec = load_spec()
    chart = spec["dashboards"][0]["charts"][0]  # Ending MRR
    chart_id = {c["slice_name"]: c["id"] for c in server.charts()}[chart["name"]]

    def snapshot_rows() -> list[dict]:
        with duckdb.connect(str(published / "current" / CATALOG_NAME), read_only=True) as con:
            return expected_rows(con, spec, chart)

    before = snapshot_rows()
    reads: list[list[dict]] = []
    errors: list[str] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                reads.append(server.chart_data(chart_id))
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                errors.append(repr(exc))
            time.sleep(0.2)

    raw = tmp_path / "raw"
    assert csw_main(["generate", "--out", str(raw), "--accounts", "120", "--months", "12", "--seed", "3"]) == 0
    reader = threading.Thread(target=poll, daemon=True)
    reader.start()
    try:
        assert csw_main(["build", "--raw-dir", str(raw), "--db", str(warehouse.db_path), "--no-progress"]) == 0
        assert csw_main(["publish", "--db", str(warehouse.db_path), "--out", str(published)]) == 0
        time.sleep(2)
    finally:
        stop.set()
        reader.join(timeout=120)
    after = snapshot_rows()
    assert errors == [], errors[:3]
    assert len(reads) >= 5, f"only {len(reads)} chart reads during the build"
    assert compare(reads[-1], after) == [], "after the publish the chart shows the new snapshot"
    assert compare(reads[-1], before) != [], "the new dataset differs from the demo"
    mixed = [r for r in reads if compare(r, before) and compare(r, after)]
    assert mixed == [], f"{len(mixed)} reads matched neither snapshot"
