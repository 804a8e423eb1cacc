"""`csw publish`: whole snapshots for BI readers while builds run, pruning, failures.

The end-to-end test runs a reader in a separate process (this file run as a
script) that queries ``published/current/catalog.duckdb`` in a loop while this
process builds and publishes two different datasets into the same warehouse file.
The unit tests use tiny hand-made warehouses (no dbt) and run in a second or two.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from csw.cli import build_parser, main as csw_main
from csw.publish import (
    CATALOG_NAME,
    PublishError,
    checksum_sql,
    connect_current,
    list_snapshots,
    prune,
    publish,
)

READER_MARTS = ("fct_mrr", "dim_customers", "agg_mrr_bridge_monthly")


# ---------------------------------------------------------------- the reader process


def reader_sql(marts=READER_MARTS) -> str:
    """Rows and checksum of a few marts plus the snapshot name, in ONE statement."""
    parts = [f"select '{m}' as mart, * from ({checksum_sql(m)})" for m in marts]
    parts.append("select '_snapshot', 0::bigint, snapshot from csw_snapshot")
    return " union all ".join(parts)


def reader_loop(out_dir: str, result_file: str, stop_file: str, max_seconds: float, max_reads: int) -> None:
    """Read the current snapshot until told to stop, a deadline, or max_reads; write JSON."""
    catalog = os.path.join(out_dir, "current", CATALOG_NAME)
    sql = reader_sql()
    reads: list[dict] = []
    errors: list[str] = []
    waits = 0
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline and len(reads) < max_reads and not os.path.exists(stop_file):
        if not reads and not os.path.lexists(os.path.join(out_dir, "current")):
            waits += 1  # nothing published yet: not an error
            time.sleep(0.05)
            continue
        try:
            with duckdb.connect(catalog, read_only=True) as con:
                rows = con.execute(sql).fetchall()
            read = {mart: [count, checksum] for mart, count, checksum in rows}
            snapshot = read.pop("_snapshot")[1]
            reads.append({"at": time.time(), "snapshot": snapshot, "marts": read})
        except Exception as exc:  # every failure is a finding
            errors.append(f"{time.time():.3f} {type(exc).__name__}: {exc}")
        time.sleep(0.05)
    Path(result_file).write_text(json.dumps({"reads": reads, "errors": errors, "waits": waits}))


# ---------------------------------------------------------------- end to end


def _publish_cli(db: Path, out: Path, *extra: str) -> dict:
    assert csw_main(["publish", "--db", str(db), "--out", str(out), *extra]) == 0, "csw publish failed"
    return json.loads((out / "current" / "manifest.json").read_text())


def test_reader_sees_only_whole_snapshots_while_building_and_publishing(tmp_path: Path):
    raws = {}
    for label, seed in (("a", 11), ("b", 22)):
        raws[label] = tmp_path / f"raw_{label}"
        assert csw_main(["generate", "--out", str(raws[label]), "--accounts", "150",
                         "--months", "12", "--seed", str(seed)]) == 0
    db = tmp_path / "warehouse.duckdb"
    out = tmp_path / "published"
    result_file, stop_file = tmp_path / "reads.json", tmp_path / "stop"
    elsewhere = tmp_path / "elsewhere"  # the reader runs from another working directory
    elsewhere.mkdir()
    reader = subprocess.Popen(
        [sys.executable, __file__, str(out), str(result_file), str(stop_file), "300", "20000"],
        cwd=elsewhere,
    )
    manifests: list[dict] = []
    try:
        # csw build && csw publish, twice, alternating datasets, into the same DB file.
        # The reader reads snapshot A all through build B, then across the switch.
        for label in ("a", "b"):
            rc = csw_main(["build", "--raw-dir", str(raws[label]), "--db", str(db), "--no-progress"])
            assert rc == 0, f"csw build {label} failed"
            manifests.append(_publish_cli(db, out))
            if label == "a":
                shutil.copyfile(db, tmp_path / "warehouse_a.duckdb")
        # Then rapid switches between the two (no build needed), pruning as we go
        # (grace 0), so snapshots the reader may hold open become prunable.
        for i in range(6):
            source = tmp_path / "warehouse_a.duckdb" if i % 2 == 0 else db
            manifests.append(_publish_cli(source, out, "--keep", "2", "--grace-seconds", "0"))
            time.sleep(0.3)
        time.sleep(0.5)
    finally:
        stop_file.touch()
        reader.wait(timeout=60)
    assert reader.returncode == 0
    report = json.loads(result_file.read_text())
    reads, errors = report["reads"], report["errors"]

    print(f"reader: {len(reads)} reads of {len({r['snapshot'] for r in reads})} snapshots, "
          f"{len(errors)} errors, {report['waits']} waits before the first publish; "
          f"{len(manifests)} publishes")
    assert errors == [], f"{len(errors)} reader errors, first: {errors[:3]}"
    assert len(reads) >= 20, f"the reader managed only {len(reads)} reads"
    by_snapshot = {m["snapshot"]: m for m in manifests}
    expected = {m["snapshot"]: {mart: [m["marts"][mart]["rows"], m["marts"][mart]["checksum"]]
                                for mart in READER_MARTS} for m in manifests}
    for read in reads:
        assert read["snapshot"] in by_snapshot, f"read of an unknown snapshot {read['snapshot']}"
        assert read["marts"] == expected[read["snapshot"]], f"mixed or partial read: {read}"
        assert read["marts"] in list(expected.values())
    a, b = expected[manifests[0]["snapshot"]], expected[manifests[1]["snapshot"]]
    assert a != b, "the two datasets must publish different marts"
    seen = [r["marts"] for r in reads]
    assert a in seen and b in seen, "the reader should have seen both datasets"
    # Reads during build B saw dataset A: the build never leaked into the published marts.
    # Pruning ran (keep 2, grace 0) but may have spared the one snapshot the reader had open.
    remaining = {p.name for p in list_snapshots(out)}
    assert 2 <= len(remaining) <= 3 and manifests[-1]["snapshot"] in remaining
    assert manifests[-1]["previous_snapshot"] in remaining


# ---------------------------------------------------------------- unit tests (tiny warehouses)


def make_warehouse(path: Path, variant: int, with_marts: bool = True) -> Path:
    """A small DuckDB file shaped like a built warehouse; `variant` changes the data."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists intermediate")
        con.execute("create or replace table intermediate.int_as_of as select date '2026-06-30' as as_of_date")
        if with_marts:
            con.execute("create schema if not exists marts")
            con.execute(
                "create or replace table marts.fct_mrr as "
                "select 'C' || i as customer_id, 'P1' as product_id, "
                "date '2026-01-01' + to_months(i % 6) as month, "
                f"cast(i * {variant} + 0.25 as decimal(18, 2)) as mrr_usd "
                f"from range({10 + variant}) t(i)"
            )
            con.execute(
                "create or replace table marts.dim_customers as "
                f"select 'C' || i as customer_id, 'smb' as segment from range({5 + variant}) t(i)"
            )
            con.execute("create or replace view marts.v_smb as select * from marts.dim_customers")
    return path


def test_publish_keeps_previous_snapshot_and_views_resolve_from_elsewhere(tmp_path: Path, monkeypatch):
    out = tmp_path / "published"
    first = publish(make_warehouse(tmp_path / "w1.duckdb", 1), out)
    second = publish(make_warehouse(tmp_path / "w2.duckdb", 2), out)
    assert first.previous is None and second.previous == first.snapshot_dir.name
    assert second.manifest["previous_snapshot"] == first.snapshot_dir.name
    assert {p.name for p in list_snapshots(out)} == {first.snapshot_dir.name, second.snapshot_dir.name}
    assert os.readlink(out / "current") == f"snapshots/{second.snapshot_dir.name}"
    manifest = json.loads((out / "current" / "manifest.json").read_text())
    assert manifest["marts"]["fct_mrr"]["rows"] == 12 and manifest["marts"]["dim_customers"]["rows"] == 7
    assert manifest["as_of_date"] == "2026-06-30" and manifest["built_at"]

    monkeypatch.chdir(tmp_path.parent)  # views name absolute paths: any cwd works
    with duckdb.connect(str(out / "current" / CATALOG_NAME), read_only=True) as con:
        assert con.execute("select count(*) from fct_mrr").fetchone()[0] == 12
        assert con.execute("select count(*) from marts.dim_customers").fetchone()[0] == 7
        assert con.execute("select count(*) from v_smb").fetchone()[0] == 7  # a view in marts too
        assert con.execute("select snapshot from csw_snapshot").fetchone()[0] == second.snapshot_dir.name
    with duckdb.connect(str(first.snapshot_dir / CATALOG_NAME), read_only=True) as con:
        assert con.execute("select count(*) from fct_mrr").fetchone()[0] == 11  # previous still whole
    with connect_current(out) as con:
        assert con.execute("select sum(mrr_usd) from fct_mrr").fetchone()[0] == Decimal("135.00")
    assert not [p for p in (out / "snapshots").iterdir() if p.name.startswith(".")]


def test_pruning_keeps_current_and_previous(tmp_path: Path):
    out = tmp_path / "published"
    names = []
    for variant in range(1, 6):  # default grace: nothing superseded just now is pruned
        names.append(publish(make_warehouse(tmp_path / f"w{variant}.duckdb", variant), out).snapshot_dir.name)
    assert [p.name for p in list_snapshots(out)] == names
    assert prune(out, keep=3, grace_seconds=0) == names[:2]
    assert [p.name for p in list_snapshots(out)] == names[2:]
    result = publish(tmp_path / "w1.duckdb", out, keep=2, grace_seconds=0)
    assert result.pruned == names[2:4]
    assert [p.name for p in list_snapshots(out)] == [names[4], result.snapshot_dir.name]
    with pytest.raises(PublishError, match="at least 2"):
        publish(tmp_path / "w1.duckdb", out, keep=1)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["publish", "--keep", "1"])


def test_pruning_skips_a_snapshot_a_reader_holds_open(tmp_path: Path):
    out = tmp_path / "published"
    held = publish(make_warehouse(tmp_path / "w1.duckdb", 1), out).snapshot_dir
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print(c.execute('select count(*) from fct_mrr').fetchone()[0], flush=True); sys.stdin.read()",
         str(held / CATALOG_NAME)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "11"
        for variant in (2, 3, 4):
            publish(make_warehouse(tmp_path / f"w{variant}.duckdb", variant), out, grace_seconds=0)
        assert held.is_dir(), "a snapshot open in a reader must not be pruned"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    publish(tmp_path / "w1.duckdb", out, grace_seconds=0)
    assert not held.exists()
    assert len(list_snapshots(out)) == 2


def test_publish_of_missing_db_fails_clearly_and_leaves_current(tmp_path: Path, capsys):
    out = tmp_path / "published"
    good = publish(make_warehouse(tmp_path / "w1.duckdb", 1), out)
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(PublishError, match="warehouse database not found: .*nope.duckdb"):
        publish(missing, out)
    assert csw_main(["publish", "--db", str(missing), "--out", str(out)]) == 1
    assert "warehouse database not found" in " ".join(capsys.readouterr().err.split())
    assert os.readlink(out / "current") == f"snapshots/{good.snapshot_dir.name}"
    assert [p.name for p in (out / "snapshots").iterdir()] == [good.snapshot_dir.name]


def test_publish_without_marts_schema_fails_clearly(tmp_path: Path):
    out = tmp_path / "published"
    good = publish(make_warehouse(tmp_path / "w1.duckdb", 1), out)
    bare = make_warehouse(tmp_path / "bare.duckdb", 1, with_marts=False)
    with pytest.raises(PublishError, match="schema 'marts' not found in .*bare.duckdb"):
        publish(bare, out)
    assert os.readlink(out / "current") == f"snapshots/{good.snapshot_dir.name}"
    assert [p.name for p in (out / "snapshots").iterdir()] == [good.snapshot_dir.name]


def test_failure_after_the_rename_removes_the_snapshot_and_leaves_current(tmp_path: Path, monkeypatch):
    import csw.publish as publish_module

    out = tmp_path / "published"
    good = publish(make_warehouse(tmp_path / "w1.duckdb", 1), out)

    def broken_verify(final_dir, manifest):
        raise OSError("disk on fire")

    monkeypatch.setattr(publish_module, "_verify", broken_verify)
    with pytest.raises(PublishError, match="current left unchanged: disk on fire"):
        publish(make_warehouse(tmp_path / "w2.duckdb", 2), out)
    assert os.readlink(out / "current") == f"snapshots/{good.snapshot_dir.name}"
    assert [p.name for p in (out / "snapshots").iterdir()] == [good.snapshot_dir.name]


def test_publish_while_a_build_holds_the_db_fails_clearly(tmp_path: Path):
    db = make_warehouse(tmp_path / "w1.duckdb", 1)
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
         str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(PublishError, match="is a build running"):
            publish(db, tmp_path / "published")
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
    assert not (tmp_path / "published" / "current").exists()


if __name__ == "__main__":  # the reader process of the end-to-end test
    reader_loop(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
