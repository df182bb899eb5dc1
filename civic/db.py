"""The one module that opens DuckDB.

Readers: `reader()` gives this thread a cursor on the *current* snapshot, opened read-only under the
snapshot's own path (a new version is a new path, so no stale reconnect). One connection per snapshot
per process; one cursor per thread (DuckDB connections must not be shared across threads).
Writers: `connect_write(path)` on a private working file (see snapshots.transaction).
Extensions: `load_extension(con, name)` loads a `duckdb-extension-*` wheel's file by path, offline.
"""
from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path

import duckdb

from . import snapshots

KEEP_OPEN_VERSIONS = 2      # always keep the newest N snapshot connections
IDLE_CLOSE_S = 60.0         # close an older one only after it has been idle this long
MAX_OPEN = 8                # ... or when this many are open


class DataUnavailable(RuntimeError):
    """The database could not be opened or read right now."""


def extension_path(name: str) -> Path:
    """The extension file inside its installed wheel, for this DuckDB version."""
    mod = f"duckdb_extension_{name}"
    spec = importlib.util.find_spec(mod)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"DuckDB extension '{name}' is not installed: pip install duckdb-extension-{name}"
                           f"=={duckdb.__version__}")
    base = Path(next(iter(spec.submodule_search_locations)))
    candidate = base / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not candidate.exists():
        found = sorted(p.parent.name for p in base.glob("extensions/*/*.duckdb_extension"))
        raise RuntimeError(f"extension '{name}' has no build for DuckDB {duckdb.__version__} (found {found})")
    return candidate


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    # Parameter binding is not allowed in LOAD; the path comes from the installed wheel, not a user.
    path = str(extension_path(name)).replace("'", "''")
    con.execute(f"LOAD '{path}'")


def connect_write(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a private file (a new build or an importer's working copy)."""
    return duckdb.connect(str(path), config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})


def connect_read(path: Path | str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True,
                          config={"autoinstall_known_extensions": False,
                                  "autoload_known_extensions": False})


_lock = threading.Lock()
_conns: dict[str, duckdb.DuckDBPyConnection] = {}
_order: list[str] = []
_last_used: dict[str, float] = {}
_local = threading.local()


def _connection_for(snap: snapshots.Snapshot) -> duckdb.DuckDBPyConnection:
    key = str(snap.path)
    with _lock:
        _last_used[key] = time.monotonic()
        con = _conns.get(key)
        if con is None:
            try:
                con = connect_read(snap.path)
            except (duckdb.Error, OSError) as exc:
                raise DataUnavailable(str(exc)) from exc
            _conns[key] = con
            _order.append(key)
        _close_superseded()
        return con


def _close_superseded() -> None:
    """Release connections to superseded snapshots (so pruned files are really freed), but not while a
    thread may still be running a query on one: an old connection goes once it has been idle a while."""
    now = time.monotonic()
    for old in list(_order[:-KEEP_OPEN_VERSIONS]):
        idle = now - _last_used.get(old, 0.0)
        if idle >= IDLE_CLOSE_S or len(_order) > MAX_OPEN:
            _order.remove(old)
            _last_used.pop(old, None)
            old_con = _conns.pop(old, None)
            if old_con is not None:
                try:
                    old_con.close()
                except duckdb.Error:
                    pass


def reader() -> tuple[snapshots.Snapshot, duckdb.DuckDBPyConnection]:
    """(current snapshot, a cursor owned by this thread)."""
    try:
        snap = snapshots.current()
    except snapshots.NoSnapshot:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise DataUnavailable(f"cannot read the snapshot pointer: {exc}") from exc
    cursors: dict = getattr(_local, "cursors", None) or {}
    _local.cursors = cursors
    key = str(snap.path)
    cur = cursors.get(key) if key in _conns else None
    if cur is not None:
        _last_used[key] = time.monotonic()
    if cur is None:
        con = _connection_for(snap)
        cur = con.cursor()
        # drop this thread's cursors on versions we no longer hold
        for k in [k for k in cursors if k not in _conns]:
            cursors.pop(k, None)
        cursors[key] = cur
    return snap, cur


def data_version() -> str:
    """Cache key for everything derived from the data."""
    return snapshots.current().version


def close_all() -> None:
    """Release every reader connection (tests, shutdown)."""
    with _lock:
        for con in _conns.values():
            try:
                con.close()
            except duckdb.Error:
                pass
        _conns.clear()
        _order.clear()
        _last_used.clear()
    _local.cursors = {}
