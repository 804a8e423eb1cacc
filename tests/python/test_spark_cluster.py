"""The throwaway Spark cluster stops every JVM it started, also when the block fails (issue #18)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("pyspark", reason="the spark extra is not installed")

from csw.engines import spark_cluster  # noqa: E402


def test_cluster_stops_on_failure(tmp_path) -> None:
    base = tmp_path / "cluster"
    with pytest.raises(RuntimeError, match="boom"):
        with spark_cluster.throwaway_cluster(base, workers=1) as cluster:
            pids = list(cluster.pids)
            assert len(pids) == 2 and all(spark_cluster._alive(pid) for pid in pids)
            assert cluster.env["CSW_SPARK_MASTER"].startswith("spark://127.0.0.1:")
            raise RuntimeError("boom")
    assert not any(spark_cluster._alive(pid) for pid in pids)
    assert not base.exists()


def test_cli_start_env_stop(tmp_path) -> None:
    base = str(tmp_path / "cli")
    run = [sys.executable, "-m", "csw.engines.spark_cluster"]
    try:
        started = subprocess.run([*run, "start", "--dir", base, "--workers", "1"],
                                 capture_output=True, text=True, timeout=300)
        assert started.returncode == 0, started.stderr
        assert "export CSW_SPARK_MASTER='spark://127.0.0.1:" in started.stdout
        env = subprocess.run([*run, "env", "--dir", base], capture_output=True, text=True)
        assert env.stdout == started.stdout
        pids = spark_cluster.read_state(tmp_path / "cli").pids
    finally:
        stopped = subprocess.run([*run, "stop", "--dir", base], capture_output=True, text=True)
    assert stopped.returncode == 0, stopped.stderr
    assert not any(spark_cluster._alive(pid) for pid in pids)
