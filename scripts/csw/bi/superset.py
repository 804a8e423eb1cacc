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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csw.bi.bundle import (  # noqa: F401  (load_spec, render_bundle: re-exported for callers)
    BI_DIR,
    PROJECT_DIR,
    load_spec,
    render_bundle,
)
from csw.bi.venv import ensure_venv

VENV = PROJECT_DIR / ".venv-superset"
REQUIREMENTS = BI_DIR / "requirements.txt"
CONSTRAINTS = BI_DIR / "constraints.txt"
ADMIN_USER = "admin"


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
