"""Crash safety: a build killed with SIGKILL in the middle leaves the published snapshot
readable and unchanged, and the next build succeeds without any manual cleanup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from _warehouse import DEMO_RAW_DIR
from csw.cli import main as csw_main
from csw.publish import CATALOG_NAME, checksum_sql


def _snapshot_state(published: Path) -> dict[str, list]:
    """Row count and checksum of every mart, read through the BI catalog (read-only)."""
    manifest = json.loads((published / "current" / "manifest.json").read_text())
    with duckdb.connect(str(published / "current" / CATALOG_NAME), read_only=True) as con:
        return {
            mart: list(con.execute(checksum_sql(mart)).fetchone())
            for mart in sorted(manifest["marts"])
        }


def _wait_for_log_line(log: Path, needle: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in log.read_text(errors="replace"):
            return
        assert proc.poll() is None, f"build ended before {needle!r}:\n{log.read_text()[-3000:]}"
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never appeared in the build log:\n{log.read_text()[-3000:]}")


def test_sigkill_mid_build_keeps_snapshot_and_next_build_recovers(tmp_path: Path, demo_warehouse_copy):
    db = demo_warehouse_copy(tmp_path)  # a built demo warehouse (conftest `demo_build`)
    published = tmp_path / "published"
    assert csw_main(["publish", "--db", str(db), "--out", str(published)]) == 0
    before = _snapshot_state(published)
    current_before = os.readlink(published / "current")

    # A second build of the same data, killed while it is rewriting the marts' upstream models.
    log = tmp_path / "killed_build.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "csw.cli", "build", "--raw-dir", str(DEMO_RAW_DIR), "--db", str(db),
             "--no-progress"],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_log_line(log, "int_mrr__customer_product_month", proc, timeout=240)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # BI readers still see the same, whole snapshot.
    assert os.readlink(published / "current") == current_before
    assert _snapshot_state(published) == before

    # The next build and publish succeed on the same files, with no cleanup in between.
    assert csw_main(["build", "--raw-dir", str(DEMO_RAW_DIR), "--db", str(db), "--no-progress"]) == 0
    assert csw_main(["publish", "--db", str(db), "--out", str(published)]) == 0
    assert os.readlink(published / "current") != current_before
    assert _snapshot_state(published) == before  # same raw data, same marts
