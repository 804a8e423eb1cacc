"""Apache Superset on the published snapshot: its own venv, a throwaway server, dashboards as code.

``csw bi`` (and ``make bi``) runs, in order:

1. ``ensure_superset()``: the virtualenv ``.venv-superset`` at the project root, from
   ``bi/superset/requirements.txt`` pinned by ``bi/superset/constraints.txt`` (Superset pins
   SQLAlchemy 1.4 and pandas 2.x, which do not fit the project's venv).
2. ``SupersetServer``: a home directory with ``superset_config.py`` and a SQLite metadata
   database (throwaway: a temporary directory unless ``--home`` is given), then
   ``superset db upgrade``, ``superset fab create-admin``, ``superset init`` and
   ``superset run`` on a free port of 127.0.0.1.
3. ``import_dashboards()``: ``bi/superset/dashboards.yml`` rendered into Superset's assets
   bundle (a database pointing at ``<published>/current/catalog.duckdb`` read-only, datasets,
   charts with their query context, dashboards) and POSTed to ``/api/v1/assets/import/``.

The database URI names the ``current`` symlink, and Superset opens a new DuckDB connection
per query (NullPool), so every chart reads the newest whole snapshot and a running build
never touches it (docs/publishing.md).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from csw.bi.venv import ensure_venv

PROJECT_DIR = Path(__file__).resolve().parents[3]
BI_DIR = PROJECT_DIR / "bi" / "superset"
VENV = PROJECT_DIR / ".venv-superset"
REQUIREMENTS = BI_DIR / "requirements.txt"
CONSTRAINTS = BI_DIR / "constraints.txt"
DASHBOARDS = BI_DIR / "dashboards.yml"
ADMIN_USER = "admin"
UUID_NAMESPACE = uuid.UUID("6c6f7e0a-51c5-4c0d-9a52-0c5b1d5c0515")
ASSET_VERSION = "1.0.0"


class SupersetError(RuntimeError):
    """Superset could not be installed, started or loaded."""


def ensure_superset(venv: Path = VENV) -> Path:
    """The ``superset`` executable of the venv, installing it on first use."""
    try:
        python = ensure_venv(venv, [f"-r {REQUIREMENTS}"], constraints=CONSTRAINTS)
    except RuntimeError as exc:
        raise SupersetError(str(exc)) from exc
    return python.parent / "superset"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(parts)))


# ---------------------------------------------------------------- dashboards as code


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


# ---------------------------------------------------------------- the server


CONFIG_TEMPLATE = '''# Written by csw bi (scripts/csw/bi/superset.py): a local, throwaway Superset.
SECRET_KEY = {secret!r}
SQLALCHEMY_DATABASE_URI = {metadata_uri!r}
# Local use on 127.0.0.1 only: the REST API is driven without a browser session.
WTF_CSRF_ENABLED = False
TALISMAN_ENABLED = False
RATELIMIT_ENABLED = False
# Charts must show the newest snapshot: no result cache.
CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
FILTER_STATE_CACHE_CONFIG = {{"CACHE_TYPE": "SimpleCache"}}
EXPLORE_FORM_DATA_CACHE_CONFIG = {{"CACHE_TYPE": "SimpleCache"}}
PREVENT_UNSAFE_DB_CONNECTIONS = False
SUPERSET_WEBSERVER_TIMEOUT = 120
'''


@dataclass
class SupersetServer:
    """A Superset started on 127.0.0.1 with a throwaway home; use as a context manager."""

    home: Path | None = None
    port: int | None = None
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    log: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    _process: subprocess.Popen | None = None
    _own_home: bool = False
    _token: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        env.update(SUPERSET_CONFIG_PATH=str(self.home / "superset_config.py"),
                   SUPERSET_HOME=str(self.home), FLASK_APP="superset", PYTHONUNBUFFERED="1")
        return env

    def _superset(self, superset: Path, *args: str, timeout: float = 900) -> None:
        started = time.perf_counter()
        result = subprocess.run([str(superset), *args], env=self._env(), cwd=self.home,
                                capture_output=True, text=True, timeout=timeout)
        self.timings[f"superset {args[0]}"] = time.perf_counter() - started
        if result.returncode != 0:
            raise SupersetError(f"superset {' '.join(args[:2])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")

    def start(self) -> "SupersetServer":
        started = time.perf_counter()
        superset = ensure_superset()
        self.timings["venv"] = time.perf_counter() - started
        if self.home is None:
            self.home = Path(tempfile.mkdtemp(prefix="csw-superset-"))
            self._own_home = True
        self.home.mkdir(parents=True, exist_ok=True)
        metadata = self.home / "superset.db"
        reused = metadata.exists()  # a --home kept from an earlier run: keep its config (SECRET_KEY)
        config = self.home / "superset_config.py"
        if not (reused and config.exists()):
            config.write_text(CONFIG_TEMPLATE.format(
                secret=secrets.token_urlsafe(32), metadata_uri=f"sqlite:///{metadata}"))
        self._superset(superset, "db", "upgrade")
        if reused:
            self._superset(superset, "fab", "reset-password", "--username", ADMIN_USER, "--password", self.password)
        else:
            self._superset(superset, "fab", "create-admin", "--username", ADMIN_USER, "--firstname", "CSW",
                           "--lastname", "Admin", "--email", "admin@example.com", "--password", self.password)
        self._superset(superset, "init")
        self.port = self.port or free_port()
        log = open(self.log or (self.home / "superset.log"), "ab")
        run_started = time.perf_counter()
        self._process = subprocess.Popen(
            [str(superset), "run", "-h", "127.0.0.1", "-p", str(self.port), "--with-threads"],
            env=self._env(), cwd=self.home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        self._wait_healthy()
        self.timings["superset run"] = time.perf_counter() - run_started
        self.login()
        return self

    def _wait_healthy(self, timeout: float = 300) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SupersetError(f"superset run exited with {self._process.returncode}; see {self.home}/superset.log")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(1)
        raise SupersetError(f"Superset did not answer on {self.url}/health within {timeout:.0f}s")

    def running(self) -> bool:
        """Whether the Superset process started by ``start`` is still alive."""
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._process = None
        if self._own_home and self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "SupersetServer":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ REST API

    def request(self, method: str, path: str, body: Any = None, *, data: bytes | None = None,
                content_type: str = "application/json", timeout: float = 120) -> Any:
        import urllib.error
        import urllib.request

        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as exc:
            raise SupersetError(f"{method} {path}: HTTP {exc.code}: {exc.read().decode()[:2000]}") from exc
        return json.loads(text) if text else None

    def login(self) -> None:
        self._token = None
        answer = self.request("POST", "/api/v1/security/login", {
            "username": ADMIN_USER, "password": self.password, "provider": "db", "refresh": True})
        self._token = answer["access_token"]

    def import_bundle(self, bundle: bytes) -> None:
        boundary = f"----csw{uuid.uuid4().hex}"
        parts = [
            (f'--{boundary}\r\nContent-Disposition: form-data; name="bundle"; filename="csw_dashboards.zip"\r\n'
             "Content-Type: application/zip\r\n\r\n").encode() + bundle + b"\r\n",
            (f'--{boundary}\r\nContent-Disposition: form-data; name="passwords"\r\n\r\n{{}}\r\n').encode(),
            (f'--{boundary}\r\nContent-Disposition: form-data; name="overwrite"\r\n\r\ntrue\r\n').encode(),
            f"--{boundary}--\r\n".encode(),
        ]
        self.request("POST", "/api/v1/assets/import/", data=b"".join(parts),
                     content_type=f"multipart/form-data; boundary={boundary}", timeout=300)

    def charts(self) -> list[dict]:
        query = json.dumps({"page_size": 100, "columns": ["id", "slice_name", "uuid", "viz_type"]})
        import urllib.parse

        return self.request("GET", f"/api/v1/chart/?q={urllib.parse.quote(query)}")["result"]

    def chart_data(self, chart_id: int) -> list[dict]:
        """The chart's rows through POST /api/v1/chart/data with its saved query context."""
        chart = self.request("GET", f"/api/v1/chart/{chart_id}")["result"]
        context = json.loads(chart["query_context"])
        context["force"] = True
        answer = self.request("POST", "/api/v1/chart/data", context)
        return answer["result"][0]["data"]

    def dashboards(self) -> list[dict]:
        return self.request("GET", "/api/v1/dashboard/")["result"]


def import_dashboards(server: SupersetServer, published: Path, spec: dict | None = None) -> float:
    """Render and import the dashboards; the seconds it took."""
    started = time.perf_counter()
    server.import_bundle(render_bundle(published, spec))
    return time.perf_counter() - started
