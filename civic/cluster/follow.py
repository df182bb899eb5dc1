"""A replica's follower: publishes each new lake snapshot into the replica's own data folder.

The replica's Streamlit is today's reader, unchanged: it reads the snapshot its data folder's pointer names
(snapshots.py, db.py) and its pages rerun within seconds of a new version (the version watch). The follower
turns the lake into such versions: it polls the lake's newest snapshot id and, when it moved, copies the
file it serves and applies only what changed in the lake since (lake.refresh: appended rows appended, small
rewritten tables such as the rollups copied whole), or, the first time and after a change of the lake's
shape, materialises the whole snapshot into a new local file (lake.materialise: schema.sql's constraints,
the lake's derived tables and views), and publishes it. The version's note names the lake version it
holds (`lake v000012`), which is what `make cluster-status` reports for each replica.
"""
from __future__ import annotations

import contextlib
import shutil
import sys
import time
from pathlib import Path

import duckdb

from civic.store import lake, snapshots

POLL_S = 2.0
def served(pointer_note: str) -> str | None:
    """The lake version a replica's current snapshot holds, from its note."""
    return lake.lake_version_of_note(pointer_note)


def serving() -> str | None:
    try:
        return served(snapshots.current().note)
    except (snapshots.NoSnapshot, OSError, ValueError, KeyError):
        return None


def sync_once(poll: duckdb.DuckDBPyConnection | None = None) -> str | None:
    """Publish the lake's current snapshot here unless it is already the one served. Returns the version
    published, or None when nothing changed. `poll`: a connection kept open for asking the newest
    snapshot (attaching the lake loads two extensions: most of an idle follower's CPU when done every poll)."""
    con = poll or lake.connect()
    try:
        newest = lake.current_version(con)
    finally:
        if poll is None:
            con.close()
    had = serving()
    if newest == had:
        return None
    work = snapshots.new_tmp_path()
    try:
        version = _refreshed(work, had) if had else None
        if version is None:
            version = lake.materialise(work)
    except BaseException:
        _discard(work)
        raise
    snapshots.publish(work, note=lake.local_note(version), audit={"action": "materialise", "lake_version": version})
    return version


def _refreshed(work: Path, had: str) -> str | None:
    """The served file, copied, brought up to the lake's snapshot by its changes alone (None: not possible)."""
    shutil.copyfile(snapshots.current().path, work)
    version = lake.refresh(work, had)
    if version is None:
        _discard(work)
    return version


def _discard(work: Path) -> None:
    for f in (work, work.with_name(work.name + ".wal")):
        with contextlib.suppress(OSError):
            f.unlink()


def follow(poll_s: float = POLL_S) -> None:
    """Forever: sync, sleep. A lake that cannot be reached (PostgreSQL restarting) is retried; the replica
    keeps serving what it has meanwhile."""
    poll: duckdb.DuckDBPyConnection | None = None
    while True:
        try:
            poll = poll or lake.connect()
            done = sync_once(poll)
            if done:
                print(f"published lake {done}", flush=True)
        except Exception as exc:  # noqa: BLE001 - a follower outlives any one failed sync (PostgreSQL restarting)
            print(f"sync failed, retrying: {exc}", file=sys.stderr, flush=True)
            if poll is not None:
                with contextlib.suppress(Exception):
                    poll.close()
            poll = None
        time.sleep(poll_s)
