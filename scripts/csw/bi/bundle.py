"""Dashboards as code: ``bi/superset/dashboards.yml`` rendered into a Superset assets bundle (zip)
for one published snapshot: the database (the ``current`` catalog, read-only), one dataset per
mart with its column descriptions, the charts with their query context and the dashboards. UUIDs
are derived from names, so re-importing a bundle updates the same assets."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[3]
BI_DIR = PROJECT_DIR / "bi" / "superset"
DASHBOARDS = BI_DIR / "dashboards.yml"
UUID_NAMESPACE = uuid.UUID("6c6f7e0a-51c5-4c0d-9a52-0c5b1d5c0515")
ASSET_VERSION = "1.0.0"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(parts)))


def load_spec(path: Path = DASHBOARDS) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def catalog_uri(published: Path) -> str:
    """duckdb-engine URI of the current snapshot's catalog (the symlink, resolved per connection)."""
    return f"duckdb:///{(Path(published).absolute() / 'current' / 'catalog.duckdb').as_posix()}"


def chart_query(chart: dict) -> dict:
    """The query of one chart, as Superset's chart-data API takes it (columns, metrics, filters)."""
    columns: list[Any] = []
    if chart.get("x"):
        columns.append(chart["x"])
    columns += chart.get("groupby", [])
    metrics = [
        {"expressionType": "SQL", "sqlExpression": expression, "label": label, "hasCustomLabel": True}
        for label, expression in (chart.get("metrics") or {}).items()
    ]
    filters = [{"col": column, "op": "==", "val": value} for column, value in (chart.get("filters") or {}).items()]
    order_column = chart.get("order_by") or chart.get("x")
    query: dict[str, Any] = {
        "filters": filters,
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "metrics": metrics,
        "orderby": [[order_column, True]] if order_column else [],
        "annotation_layers": [],
        "row_limit": chart.get("row_limit", 10000),
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    if chart.get("columns"):  # raw table
        query["columns"] = list(chart["columns"])
        query["metrics"] = []
    else:
        query["columns"] = columns
    return query


def _form_data(chart: dict, dataset_id: str) -> dict:
    metrics = chart_query(chart)["metrics"]
    filters = [
        {"expressionType": "SIMPLE", "subject": column, "operator": "==", "comparator": value,
         "clause": "WHERE"}
        for column, value in (chart.get("filters") or {}).items()
    ]
    params: dict[str, Any] = {
        "viz_type": chart["viz_type"],
        "datasource": dataset_id,
        "adhoc_filters": filters,
        "row_limit": chart.get("row_limit", 10000),
    }
    if chart["viz_type"] == "table":
        if chart.get("columns"):
            params.update(query_mode="raw", all_columns=list(chart["columns"]),
                          order_by_cols=[json.dumps([chart.get("order_by", chart["columns"][0]), True])])
        else:
            params.update(query_mode="aggregate", groupby=list(chart.get("groupby", [])), metrics=metrics)
    else:
        params.update(
            x_axis=chart["x"], time_grain_sqla="P1M", metrics=metrics,
            groupby=list(chart.get("groupby", [])), show_legend=True, rich_tooltip=True,
        )
        if chart.get("format"):
            params["y_axis_format"] = chart["format"]
    return params


def _describe_datasets(published: Path, datasets: dict) -> dict[str, dict]:
    """Columns (name, type, is it a time, description from the catalog's comments) per dataset."""
    import duckdb

    catalog = Path(published) / "current" / "catalog.duckdb"
    out: dict[str, dict] = {}
    with duckdb.connect(str(catalog), read_only=True) as con:
        for name, dataset in datasets.items():
            comments: dict[str, str] = {}
            description = None
            if dataset.get("table"):
                relation = dataset["table"]
                comments = dict(con.execute(
                    "select column_name, comment from duckdb_columns() where schema_name = 'main' "
                    "and table_name = ?", [relation]).fetchall())
                row = con.execute("select comment from duckdb_views() where schema_name = 'main' "
                                  "and view_name = ?", [relation]).fetchone()
                description = row[0] if row else None
                query = f'select * from main."{relation}"'
            else:
                query = dataset["sql"]
            columns = con.execute(f"describe {query}").fetchall()
            out[name] = {"description": description, "columns": [
                {
                    "column_name": column, "verbose_name": None, "is_dttm": kind in ("DATE", "TIMESTAMP"),
                    "is_active": True, "type": kind, "advanced_data_type": None, "groupby": True,
                    "filterable": True, "expression": None, "description": comments.get(column),
                    "python_date_format": None, "extra": None,
                }
                for column, kind, *_ in columns
            ]}
    return out


def render_bundle(published: Path, spec: dict | None = None) -> bytes:
    """Superset's assets bundle (zip of YAML files) for the dashboards in ``spec``."""
    spec = spec or load_spec()
    root = "csw_dashboards"
    files: dict[str, Any] = {
        "metadata.yaml": {"version": ASSET_VERSION, "type": "assets",
                          "timestamp": "2026-01-01T00:00:00+00:00"},
    }
    database_uuid = _uuid("database")
    files["databases/csw_published.yaml"] = {
        "database_name": spec["database"],
        "sqlalchemy_uri": catalog_uri(published),
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": {"engine_params": {"connect_args": {"read_only": True}},
                  "metadata_params": {}, "schemas_allowed_for_file_upload": []},
        "uuid": database_uuid,
        "version": ASSET_VERSION,
    }
    dataset_uuids = {}
    described = _describe_datasets(published, spec["datasets"])
    for name, dataset in spec["datasets"].items():
        dataset_uuids[name] = _uuid("dataset", name)
        files[f"datasets/csw_published/{name}.yaml"] = {
            "table_name": dataset.get("table", name),
            "main_dttm_col": "month" if any(c["column_name"] == "month" for c in described[name]["columns"]) else None,
            "description": dataset.get("description") or described[name]["description"],
            "default_endpoint": None,
            "offset": 0,
            "cache_timeout": None,
            "catalog": None,
            "schema": "main",
            "sql": dataset.get("sql"),
            "params": None,
            "template_params": None,
            "filter_select_enabled": True,
            "fetch_values_predicate": None,
            "extra": None,
            "normalize_columns": False,
            "always_filter_main_dttm": False,
            "uuid": dataset_uuids[name],
            "metrics": [],
            "columns": described[name]["columns"],
            "version": ASSET_VERSION,
            "database_uuid": database_uuid,
        }
    for dashboard in spec["dashboards"]:
        position: dict[str, Any] = {
            "DASHBOARD_VERSION_KEY": "v2",
            "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
            "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
            "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": dashboard["title"]}},
        }
        for index, chart in enumerate(dashboard["charts"]):
            chart_uuid = _uuid("chart", dashboard["slug"], chart["name"])
            dataset_id = "0__table"  # replaced by the importer (update_chart_config_dataset)
            query_context = {
                "datasource": {"id": 0, "type": "table"},
                "force": False,
                "queries": [chart_query(chart)],
                "form_data": _form_data(chart, dataset_id),
                "result_format": "json",
                "result_type": "full",
            }
            slug = f"{dashboard['slug']}-{index:02d}"
            files[f"charts/{slug}.yaml"] = {
                "slice_name": chart["name"],
                "description": chart.get("description"),
                "certified_by": None,
                "certification_details": None,
                "viz_type": chart["viz_type"],
                "params": _form_data(chart, dataset_id),
                "query_context": json.dumps(query_context),
                "cache_timeout": None,
                "uuid": chart_uuid,
                "version": ASSET_VERSION,
                "dataset_uuid": dataset_uuids[chart["dataset"]],
            }
            row_id = f"ROW-{index // 2}"
            if row_id not in position:
                position[row_id] = {"type": "ROW", "id": row_id, "children": [],
                                    "parents": ["ROOT_ID", "GRID_ID"],
                                    "meta": {"background": "BACKGROUND_TRANSPARENT"}}
                position["GRID_ID"]["children"].append(row_id)
            chart_id = f"CHART-{slug}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "type": "CHART", "id": chart_id, "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                # chartId: any number unique in the bundle; the importer maps it by uuid
                "meta": {"uuid": chart_uuid, "chartId": len(files), "width": 6, "height": 50,
                         "sliceName": chart["name"]},
            }
        files[f"dashboards/{dashboard['slug']}.yaml"] = {
            "dashboard_title": dashboard["title"],
            "description": None,
            "css": "",
            "slug": dashboard["slug"],
            "certified_by": None,
            "certification_details": None,
            "published": True,
            "uuid": _uuid("dashboard", dashboard["slug"]),
            "position": position,
            "metadata": {"color_scheme": "supersetColors", "refresh_frequency": 0,
                         "native_filter_configuration": [], "cross_filters_enabled": False},
            "version": ASSET_VERSION,
        }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            bundle.writestr(f"{root}/{name}", yaml.safe_dump(content, sort_keys=False, allow_unicode=True))
    return buffer.getvalue()
