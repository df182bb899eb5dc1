"""A replica's follower: publishes each new lake snapshot into the replica's own data folder.

The replica's Streamlit is today's reader, unchanged: it reads the snapshot its data folder's pointer names
(snapshots.py, db.py) and its pages rerun within seconds of a new version (the version watch). The follower
turns the lake into such versions: it polls the lake's newest snapshot id and, when it moved, materialises
that snapshot into a local file (lake.materialise: schema.sql's constraints, data/views.sql's derived tables)
and publishes it. The version's note names the lake version it holds (`lake v000012`), which is what
`make cluster-status` reports for each replica.
"""
from __future__ import annotations

import contextlib
import sys
import time

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


def sync_once() -> str | None:
    """Publish the lake's current snapshot here unless it is already the one served. Returns the version
    published, or None when nothing changed."""
    con = lake.connect()
    try:
        newest = lake.current_version(con)
    finally:
        con.close()
    if newest == serving():
        return None
    work = snapshots.new_tmp_path()
    try:
        version = lake.materialise(work)
    except BaseException:
        for f in (work, work.with_name(work.name + ".wal")):
            with contextlib.suppress(OSError):
                f.unlink()
        raise
    snapshots.publish(work, note=lake.local_note(version), audit={"action": "materialise", "lake_version": version})
    return version


def follow(poll_s: float = POLL_S) -> None:
    """Forever: sync, sleep. A lake that cannot be reached (PostgreSQL restarting) is retried; the replica
    keeps serving what it has meanwhile."""
    while True:
        try:
            done = sync_once()
            if done:
                print(f"published lake {done}", flush=True)
        except Exception as exc:  # noqa: BLE001 - a follower outlives any one failed sync (PostgreSQL restarting)
            print(f"sync failed, retrying: {exc}", file=sys.stderr, flush=True)
        time.sleep(poll_s)
