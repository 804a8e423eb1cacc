"""A throwaway PostgreSQL cluster on 127.0.0.1 for `csw build --target postgres` and tests.

Installs Debian's `postgresql` package when no server binaries are found (apt-get, as
root), then `initdb`s a private data directory owned by the `postgres` user (when run
as root; by the current user otherwise), starts it with `pg_ctl` on a free port with
trust authentication on 127.0.0.1 only, and creates the `csw` database. The package's
default cluster is never started. Durability is switched off (fsync, synchronous
commit): the cluster holds nothing worth keeping. JIT compilation is off (SERVER_SETTINGS).

    python -m csw.engines.pg_cluster start [--dir DIR]   # prints the CSW_PG_* exports
    python -m csw.engines.pg_cluster stop  [--dir DIR]   # stops it and removes DIR

In Python: `with throwaway_cluster() as cluster: cluster.env` (stopped on exit).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

DEFAULT_DIR = Path(tempfile.gettempdir()) / "csw_pg_cluster"
DATABASE = "csw"
SUPERUSER = "postgres"
STATE_FILE = "cluster.json"
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "256MB",
    "work_mem": "64MB",
    "max_connections": "40",
    "TimeZone": "UTC",
    # JIT compiles a query's expressions with LLVM once its estimated cost passes a threshold.
    # The warehouse's queries are small but wide (exact money arithmetic inlined many times): JIT
    # spent 0.8-2.1 s compiling queries that run in 10-30 ms (DECISIONS.md, "PostgreSQL:
    # statistics after each build, JIT off").
    "jit": "off",
}


class ClusterError(RuntimeError):
    """PostgreSQL could not be installed, started or stopped; the message says why."""


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster."""

    base_dir: str
    bin_dir: str
    port: int
    host: str = "127.0.0.1"
    user: str = SUPERUSER
    dbname: str = DATABASE

    @property
    def data_dir(self) -> str:
        return str(Path(self.base_dir) / "data")

    @property
    def env(self) -> dict[str, str]:
        """The variables profiles.yml (`postgres` output) reads."""
        return {
            "CSW_PG_HOST": self.host,
            "CSW_PG_PORT": str(self.port),
            "CSW_PG_USER": self.user,
            "CSW_PG_PASSWORD": "",
            "CSW_PG_DBNAME": self.dbname,
        }


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb, pg_ctl and postgres."""
    candidates = []
    for path in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(path).parent.name
        if all(Path(path, tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            candidates.append((int(version) if version.isdigit() else 0, Path(path)))
    return max(candidates)[1] if candidates else None


def install_postgresql() -> Path:
    """The server binaries, installing Debian's `postgresql` package first when missing."""
    bin_dir = find_bin_dir()
    if bin_dir is not None:
        return bin_dir
    if os.geteuid() != 0:
        raise ClusterError("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin; "
                           "install them with `apt-get install postgresql` (as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # The package's post-install creates and starts a default cluster; stop it (we use our own).
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    for conf in glob.glob("/etc/postgresql/*/main"):
        version = Path(conf).parent.name
        subprocess.run(["pg_ctlcluster", version, "main", "stop"], capture_output=True)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise ClusterError("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb")
    return bin_dir


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as_owner(command: list[str]) -> subprocess.CompletedProcess:
    """Run a server command as `postgres` when we are root (initdb refuses root)."""
    user = SUPERUSER if os.geteuid() == 0 else None
    done = subprocess.run(command, user=user, capture_output=True, text=True)
    if done.returncode != 0:
        raise ClusterError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def _prepare_dir(base_dir: Path) -> None:
    if base_dir.exists():
        shutil.rmtree(base_dir)
    base_dir.mkdir(parents=True, mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(base_dir, user=SUPERUSER, group=None)
        # The owner must be able to reach the directory: open the path up to it.
        for parent in base_dir.parents:
            if parent == Path("/"):
                break
            mode = parent.stat().st_mode
            if not mode & 0o001:
                raise ClusterError(f"{parent} is not traversable by the {SUPERUSER} user; "
                                   "choose a --dir under /tmp")


def _create_database(cluster: Cluster) -> None:
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            con = psycopg2.connect(host=cluster.host, port=cluster.port, user=cluster.user,
                                   dbname="postgres")
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'create database "{cluster.dbname}"')
    finally:
        con.close()


def start(base_dir: Path = DEFAULT_DIR) -> Cluster:
    """Install if needed, initdb `base_dir/data`, start on a free port, create the database."""
    bin_dir = install_postgresql()
    base_dir = base_dir.resolve()
    _prepare_dir(base_dir)
    cluster = Cluster(base_dir=str(base_dir), bin_dir=str(bin_dir), port=_free_port())
    _run_as_owner([str(bin_dir / "initdb"), "-D", cluster.data_dir, "-U", SUPERUSER,
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    options = " ".join(f"-c {key}={value}" for key, value in SERVER_SETTINGS.items())
    options += f" -p {cluster.port} -c unix_socket_directories={base_dir}"
    _run_as_owner([str(bin_dir / "pg_ctl"), "-D", cluster.data_dir, "-l",
                   str(base_dir / "server.log"), "-o", options, "-w", "-t", "60", "start"])
    (base_dir / STATE_FILE).write_text(json.dumps(asdict(cluster)))
    try:
        _create_database(cluster)
    except Exception:
        stop(base_dir)
        raise
    return cluster


def stop(base_dir: Path = DEFAULT_DIR) -> None:
    """Stop the cluster started in `base_dir` (if running) and remove the directory."""
    base_dir = base_dir.resolve()
    state = base_dir / STATE_FILE
    try:
        if state.is_file():
            cluster = Cluster(**json.loads(state.read_text()))
            pg_ctl = str(Path(cluster.bin_dir) / "pg_ctl")
            if Path(cluster.data_dir, "postmaster.pid").exists():
                _run_as_owner([pg_ctl, "-D", cluster.data_dir, "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)


@contextmanager
def throwaway_cluster(base_dir: Path | None = None) -> Iterator[Cluster]:
    """A running cluster for the duration of the block, stopped and removed afterwards."""
    base_dir = base_dir or Path(tempfile.mkdtemp(prefix="csw_pg_"))
    cluster = start(base_dir)
    try:
        yield cluster
    finally:
        stop(base_dir)


def main(argv: list[str] | None = None) -> int:
    """``python -m csw.engines.pg_cluster start|stop [--dir DIR]`` = ``csw pg-cluster ...``."""
    from csw.cli import main as csw_main

    return csw_main(["pg-cluster", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
