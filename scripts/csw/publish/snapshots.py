"""The snapshots of a publish directory: switching ``current``, listing, pruning (never a snapshot a
reader holds open), and the lock and durable-write helpers a publish needs (POSIX: symlinks,
``rename`` over a symlink, ``fcntl`` locks)."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from csw.publish.layout import (
    CATALOG_NAME,
    CURRENT_LINK,
    DEFAULT_GRACE_SECONDS,
    DEFAULT_KEEP,
    LOCK_NAME,
    MANIFEST_NAME,
    SNAPSHOTS_DIR,
    TMP_PREFIX,
    TRASH_PREFIX,
    PublishError,
)


def switch_current(out_dir: Path, name: str) -> None:
    """Point ``current`` at the snapshot with one atomic rename of a fresh symlink."""
    link = out_dir / CURRENT_LINK
    tmp_link = out_dir / f".{CURRENT_LINK}{TMP_PREFIX}{uuid.uuid4().hex[:8]}"
    os.symlink(f"{SNAPSHOTS_DIR}/{name}", tmp_link)  # relative: survives moving published/
    try:
        os.replace(tmp_link, link)  # the commit point: nothing after it may undo the snapshot
    except BaseException:
        tmp_link.unlink(missing_ok=True)
        raise


def current_name(out_dir: Path) -> str | None:
    link = out_dir / CURRENT_LINK
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


# ---------------------------------------------------------------- pruning


def list_snapshots(out_dir: Path | str) -> list[Path]:
    """Complete snapshot directories, oldest first (names start with the UTC publish time)."""
    snapshots = Path(out_dir) / SNAPSHOTS_DIR
    if not snapshots.is_dir():
        return []
    return sorted(p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith("."))


def prune(
    out_dir: Path | str,
    keep: int = DEFAULT_KEEP,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    _locked: bool = False,
) -> list[str]:
    """Delete old snapshots; return the names deleted.

    A snapshot is deleted only when all of these hold:
    it is not ``current``, nor the one ``current`` replaced (its manifest's
    ``previous_snapshot``); it is not among the ``keep`` newest; it stopped being
    current (its successor was published) more than ``grace_seconds`` ago; and no
    process holds its catalog open (DuckDB keeps a lock on an open database file,
    so an exclusive lock attempt tells).
    """
    out_dir = Path(out_dir).absolute()
    if keep < 2:
        raise PublishError(f"keep must be at least 2 (current and previous), got {keep}")
    if not _locked:
        with publish_lock(out_dir):
            return prune(out_dir, keep=keep, grace_seconds=grace_seconds, _locked=True)
    remove_stale_temporaries(out_dir)
    snapshots = list_snapshots(out_dir)
    current = current_name(out_dir)
    protected = {p.name for p in snapshots[-keep:]}
    if current is not None:
        protected.add(current)
        manifest = read_manifest(out_dir / SNAPSHOTS_DIR / current)
        if manifest and manifest.get("previous_snapshot"):
            protected.add(manifest["previous_snapshot"])
    now = time.time()
    pruned: list[str] = []
    for index, snapshot in enumerate(snapshots):
        if snapshot.name in protected:
            continue
        successor = snapshots[index + 1] if index + 1 < len(snapshots) else None
        superseded_at = successor.stat().st_mtime if successor is not None else now
        if now - superseded_at < grace_seconds:
            continue
        if delete_snapshot_unless_open(snapshot):
            pruned.append(snapshot.name)
    return pruned


def delete_snapshot_unless_open(snapshot: Path) -> bool:
    """Rename the snapshot out of sight and delete it, unless a reader holds its catalog."""
    catalog = snapshot / CATALOG_NAME
    fd = None
    if catalog.exists():
        fd = os.open(catalog, os.O_RDWR)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False  # open in some reader: try again on the next publish
            raise
    try:
        trash = snapshot.with_name(f"{TRASH_PREFIX}{snapshot.name}")
        os.rename(snapshot, trash)
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock; nobody can reach the renamed directory via current
    shutil.rmtree(trash, ignore_errors=True)
    return True


def remove_stale_temporaries(out_dir: Path) -> None:
    """Leftovers of a crashed publish (we hold the publish lock, so none is in progress)."""
    snapshots = out_dir / SNAPSHOTS_DIR
    if snapshots.is_dir():
        for path in snapshots.iterdir():
            if path.name.startswith((TMP_PREFIX, TRASH_PREFIX)):
                shutil.rmtree(path, ignore_errors=True)
    for path in out_dir.glob(f".{CURRENT_LINK}{TMP_PREFIX}*"):
        path.unlink(missing_ok=True)


def read_manifest(snapshot: Path) -> dict | None:
    try:
        return json.loads((snapshot / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- helpers


@contextmanager
def publish_lock(out_dir: Path) -> Iterator[None]:
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another `csw publish` is running into {out_dir}") from None
        yield
    finally:
        os.close(fd)


def write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
