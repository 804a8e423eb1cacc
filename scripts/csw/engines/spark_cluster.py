"""A throwaway Spark standalone cluster on 127.0.0.1 for `csw build --target spark` and tests.

Starts, from the pyspark distribution the project pins (its ``bin/spark-class``), one
master and N workers (default 2, 1 core and 1 GiB each) as separate JVM processes on
127.0.0.1 and free ports, each in its own process group, with every log, work and
scratch directory under a throwaway directory. The `spark` target of profiles.yml
reaches it through ``CSW_SPARK_MASTER=spark://127.0.0.1:PORT`` (the dbt process is the
driver, in client mode; executors run in the workers' JVMs).

    csw spark-cluster start [--dir DIR] [--workers 2]  # prints the exports
    csw spark-cluster env   [--dir DIR]                # the exports again
    csw spark-cluster stop  [--dir DIR]                # stops it, removes DIR

(``python -m csw.engines.spark_cluster`` is the same command.)

In Python: ``with throwaway_cluster() as cluster: cluster.env`` (stopped on exit, and
at interpreter exit; with ``tie_to_parent=True`` the JVMs also get SIGTERM when the
process that started them dies, even by SIGKILL).
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

DEFAULT_DIR = Path(tempfile.gettempdir()) / "csw_spark_cluster"
STATE_FILE = "cluster.json"
HOST = "127.0.0.1"
START_TIMEOUT_S = 180


class ClusterError(RuntimeError):
    """The cluster could not be started or stopped; the message says why."""


@dataclass(frozen=True)
class Cluster:
    """A running throwaway standalone cluster."""

    base_dir: str
    spark_home: str
    master_port: int
    master_webui_port: int
    pids: list[int] = field(default_factory=list)  # master first; each leads its process group
    workers: int = 2
    host: str = HOST

    @property
    def master_url(self) -> str:
        return f"spark://{self.host}:{self.master_port}"

    @property
    def env(self) -> dict[str, str]:
        """The variables profiles.yml (`spark` output) reads to use this cluster."""
        return {
            "CSW_SPARK_MASTER": self.master_url,
            "CSW_SPARK_DRIVER_HOST": self.host,
        }


def spark_home() -> Path:
    """The pyspark distribution (holds bin/spark-class and jars/)."""
    import pyspark

    home = Path(pyspark.__file__).resolve().parent
    if not (home / "bin" / "spark-class").is_file():
        raise ClusterError(f"{home}/bin/spark-class not found: is pyspark installed from its wheel?")
    return home


def _free_ports(count: int) -> list[int]:
    """`count` distinct free ports: every socket stays bound until all are chosen (binding port 0
    one socket at a time can hand out the port just released, so the master's UI and a worker's
    UI were once given the same port, and the readiness check read the worker's page)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((HOST, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _die_with_parent() -> None:
    """preexec_fn: own process group, and SIGTERM when the starting process dies (Linux)."""
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _spawn(command: list[str], log_path: Path, env: dict[str, str], tie_to_parent: bool) -> int:
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            preexec_fn=_die_with_parent if tie_to_parent else None,
            start_new_session=not tie_to_parent,
        )
    return process.pid


def _master_state(cluster: Cluster) -> dict:
    url = f"http://{cluster.host}:{cluster.master_webui_port}/json/"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read().decode())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of this process counts as dead.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _wait_ready(cluster: Cluster, logs: Path) -> None:
    """Until the master answers and lists every worker ALIVE (or a JVM died, or timeout)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    last_error = "no answer"
    while time.monotonic() < deadline:
        dead = [pid for pid in cluster.pids if not _alive(pid)]
        if dead:
            raise ClusterError(f"Spark process(es) {dead} exited during start; logs in {logs}:\n"
                               + _log_tail(logs))
        try:
            state = _master_state(cluster)
            alive = [w for w in state.get("workers", []) if w.get("state") == "ALIVE"]
            if len(alive) >= cluster.workers:
                return
            last_error = f"{len(alive)} of {cluster.workers} workers alive"
        except (OSError, ValueError) as exc:  # not listening yet, or not the master's JSON (yet)
            last_error = str(exc)
        time.sleep(1)
    raise ClusterError(f"Spark cluster not ready after {START_TIMEOUT_S} s ({last_error}); "
                       f"logs in {logs}:\n" + _log_tail(logs))


def _log_tail(logs: Path, lines: int = 15) -> str:
    parts = []
    for path in sorted(logs.glob("*.log")):
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {path.name}\n" + "\n".join(tail))
    return "\n".join(parts)


def start(base_dir: Path = DEFAULT_DIR, workers: int = 2, cores: int = 1, memory: str = "1g",
          tie_to_parent: bool = False) -> Cluster:
    """Start a master and `workers` workers; every file they write goes under `base_dir`."""
    home = spark_home()
    base_dir = base_dir.resolve()
    if (base_dir / STATE_FILE).is_file():
        stop(base_dir)  # a leftover from a killed run
    shutil.rmtree(base_dir, ignore_errors=True)
    logs = base_dir / "logs"
    for sub in ("logs", "work", "local"):
        (base_dir / sub).mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOG_DIR": str(logs),
        "SPARK_LOCAL_DIRS": str(base_dir / "local"),
        "SPARK_WORKER_DIR": str(base_dir / "work"),
        "SPARK_NO_DAEMONIZE": "1",
        # No REST submission server, no event log: nothing listens but what we chose.
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
    }
    env.pop("PYSPARK_GATEWAY_PORT", None)
    env.pop("PYSPARK_GATEWAY_SECRET", None)
    spark_class = str(home / "bin" / "spark-class")
    master_port, master_webui_port, *worker_webui_ports = _free_ports(2 + workers)
    pids = [_spawn([spark_class, "org.apache.spark.deploy.master.Master", "--host", HOST,
                    "--port", str(master_port), "--webui-port", str(master_webui_port)],
                   logs / "master.log", env, tie_to_parent)]
    cluster = Cluster(base_dir=str(base_dir), spark_home=str(home), master_port=master_port,
                      master_webui_port=master_webui_port, pids=pids, workers=workers)
    # Write the state first: whatever happens next, stop() finds every process.
    (base_dir / STATE_FILE).write_text(json.dumps(asdict(cluster)))
    try:
        for index in range(workers):
            worker_dir = base_dir / "work" / f"worker{index + 1}"
            worker_dir.mkdir(parents=True, exist_ok=True)
            pids.append(_spawn(
                [spark_class, "org.apache.spark.deploy.worker.Worker", cluster.master_url,
                 "--host", HOST, "--webui-port", str(worker_webui_ports[index]), "--work-dir", str(worker_dir),
                 "--cores", str(cores), "--memory", memory],
                logs / f"worker{index + 1}.log", env, tie_to_parent))
            (base_dir / STATE_FILE).write_text(json.dumps(asdict(cluster)))
        _wait_ready(cluster, logs)
    except BaseException:
        stop(base_dir)
        raise
    return cluster


def read_state(base_dir: Path = DEFAULT_DIR) -> Cluster | None:
    state = base_dir.resolve() / STATE_FILE
    return Cluster(**json.loads(state.read_text())) if state.is_file() else None


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # each JVM leads its own group; executors are in its worker's group
    except ProcessLookupError:
        pass
    except PermissionError:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop(base_dir: Path = DEFAULT_DIR, timeout_s: float = 20.0) -> None:
    """Stop every process of the cluster in `base_dir` (SIGTERM, then SIGKILL) and remove it.

    Idempotent: safe to call twice, or when nothing runs.
    """
    base_dir = base_dir.resolve()
    try:
        cluster = read_state(base_dir)
        if cluster is not None:
            # Workers first (they stop their executors), then the master.
            order = list(reversed(cluster.pids))
            for pid in order:
                _signal_group(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline and any(_alive(pid) for pid in order):
                time.sleep(0.2)
            for pid in order:
                _signal_group(pid, signal.SIGKILL)  # also any executor left in the group
            for pid in order:
                try:
                    os.waitpid(pid, os.WNOHANG)  # reap our own children
                except ChildProcessError:
                    pass
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)


@contextmanager
def throwaway_cluster(base_dir: Path | None = None, workers: int = 2,
                      tie_to_parent: bool = True) -> Iterator[Cluster]:
    """A running cluster for the duration of the block; stopped afterwards, also on failure.

    `stop` is also registered with atexit (an interpreter that exits without unwinding this
    block still stops it), and by default the JVMs die with this process (PR_SET_PDEATHSIG).
    """
    base_dir = (base_dir or Path(tempfile.mkdtemp(prefix="csw_spark_"))).resolve()

    def stop_this() -> None:
        stop(base_dir)

    atexit.register(stop_this)
    try:
        cluster = start(base_dir, workers=workers, tie_to_parent=tie_to_parent)
        yield cluster
    finally:
        stop_this()
        atexit.unregister(stop_this)


def main(argv: list[str] | None = None) -> int:
    """``python -m csw.engines.spark_cluster ...`` is ``csw spark-cluster ...``."""
    from csw.cli import main as csw_main

    return csw_main(["spark-cluster", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
