"""The one module that opens DuckDB.

Readers: `reader()` gives this thread a cursor on the *current* snapshot, opened read-only under the
snapshot's own path (a new version is a new path, so no stale reconnect). One connection per snapshot
per process; one cursor per thread (DuckDB connections must not be shared across threads).
Inside `with pinned():` (the shell wraps every script run in it) all reads of the thread use the snapshot
current at the first read, so one page never mixes two versions. A connection that DuckDB reports dead is
discarded (`discard`) and reopened by the next read.
Writers: `connect_write(path)` on a private working file (see snapshots.transaction).
Extensions: `load_extension(con, name)` loads a `duckdb-extension-*` wheel's file by path, offline.
"""
from __future__ import annotations

import contextlib
import importlib.util
import threading
import time
from pathlib import Path
from typing import Iterator

import duckdb

from civic.store import snapshots

IDLE_CLOSE_S = 60.0         # close a superseded snapshot's connection once it has been idle this long
MAX_OPEN = 8                # ... or at once (unless pinned) when this many are open


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


def load_extension(con: duckdb.DuckDBPyConnection, name: str, entry: str | None = None) -> None:
    """LOAD the wheel's extension file. `entry`: the extension's own name when the wheel names its file
    differently (duckdb-extension-postgres ships postgres.duckdb_extension, but DuckDB derives the init symbol
    from the file name and the extension is postgres_scanner): the file is then loaded through a link of that
    name in a private folder."""
    path = extension_path(name)
    if entry and entry != name:
        path = _linked_as(path, entry)
    # Parameter binding is not allowed in LOAD; the path comes from the installed wheel, not a user.
    quoted = str(path).replace("'", "''")
    con.execute(f"LOAD '{quoted}'")


def _linked_as(path: Path, entry: str) -> Path:
    import os
    import tempfile
    folder = Path(tempfile.gettempdir()) / f"civic-duckdb-ext-{os.getuid()}" / f"v{duckdb.__version__}"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / f"{entry}.duckdb_extension"
    if not (link.is_symlink() and link.resolve() == path.resolve()):
        tmp = folder / f".{entry}.{os.getpid()}.{threading.get_ident()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(path)
        os.replace(tmp, link)       # atomic: a concurrent loader sees the old link or the new one
    return link


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
_pins: dict[str, int] = {}          # snapshot path -> script runs currently pinned to it
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
            _start_sweeper()
        _close_superseded()
        return con


def _close(key: str) -> None:
    """Forget and close one connection (caller holds _lock). Closing a connection closes every cursor made
    from it, in every thread; threads notice through the identity check in reader()."""
    with contextlib.suppress(ValueError):
        _order.remove(key)
    _last_used.pop(key, None)
    old_con = _conns.pop(key, None)
    if old_con is not None:
        with contextlib.suppress(duckdb.Error):
            old_con.close()


def _close_superseded() -> None:
    """Release connections to superseded snapshots (caller holds _lock), so pruned files are really freed and
    a purge from another process is not refused for ever: never the current one, never while a script run is
    pinned to it, and only once it has been idle a while (a thread may still be running a query on it), or
    when too many are open."""
    try:
        current_key = str(snapshots.current().path)
    except (snapshots.NoSnapshot, OSError, ValueError, KeyError):
        return
    now = time.monotonic()
    for old in list(_order):
        if old == current_key or _pins.get(old):
            continue
        idle = now - _last_used.get(old, 0.0)
        if idle >= IDLE_CLOSE_S or len(_order) > MAX_OPEN:
            _close(old)


def sweep() -> None:
    """Close idle superseded connections now (the background sweeper calls this every IDLE_CLOSE_S / 2)."""
    with _lock:
        _close_superseded()


_sweeper_started = False


def _start_sweeper() -> None:
    """A daemon thread that sweeps even when no query runs (a server with no viewer would otherwise hold a
    superseded version open for ever, and `python -m civic purge` would keep answering "still being read")."""
    global _sweeper_started
    if _sweeper_started:
        return
    _sweeper_started = True

    def loop() -> None:
        while True:
            time.sleep(max(1.0, IDLE_CLOSE_S / 2))
            with contextlib.suppress(Exception):
                sweep()
    threading.Thread(target=loop, name="civic-db-sweeper", daemon=True).start()


def _release(path: Path) -> bool:
    """snapshots.purge() asks before deleting a file: close this process's connection to it if no script run
    is pinned to it and it is not the newest, and say whether the file is still held here."""
    key = str(path)
    with _lock:
        if key not in _conns:
            return False
        if _pins.get(key):
            return True
        _close(key)
        return False


snapshots.register_holder(_release)


def _resolve() -> snapshots.Snapshot:
    """The snapshot this thread reads: the run's pinned one, else the current one."""
    pin = getattr(_local, "pin", None)
    if pin is not None and pin[0] is not None:
        return pin[0]
    try:
        snap = snapshots.current()
    except snapshots.NoSnapshot:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise DataUnavailable(f"cannot read the snapshot pointer: {exc}") from exc
    if pin is not None:          # pinning is on for this run and this is its first read: pin it now
        _local.pin = (snap,)
        with _lock:
            _pins[str(snap.path)] = _pins.get(str(snap.path), 0) + 1
    return snap


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Everything read in this thread inside the block reads one snapshot: the one current at the first read.

    A script run reads many queries; without a pin, a version published between two of them would mix two
    versions in one page (a KPI from one, its chart from the next). The pin is taken lazily, so a run that
    fails to read (no database yet) is not stuck, and released at the end, so later reads see new data.
    Nested blocks keep the outer pin."""
    outer = getattr(_local, "pin", None)
    if outer is not None:
        yield
        return
    _local.pin = (None,)
    try:
        yield
    finally:
        snap = _local.pin[0]
        _local.pin = None
        if snap is not None:
            with _lock:
                key = str(snap.path)
                _pins[key] = _pins.get(key, 1) - 1
                if _pins[key] <= 0:
                    _pins.pop(key, None)


def snapshot() -> snapshots.Snapshot:
    """The snapshot this thread reads (pinned for the run, else current): what a caption should name."""
    return _resolve()


def reader() -> tuple[snapshots.Snapshot, duckdb.DuckDBPyConnection]:
    """(the snapshot this thread reads, a cursor owned by this thread)."""
    snap = _resolve()
    cursors: dict = getattr(_local, "cursors", None) or {}
    _local.cursors = cursors
    key = str(snap.path)
    held = cursors.get(key)
    # a cursor is reused only while its connection is still the one on record (not closed or replaced)
    if held is not None and _conns.get(key) is held[0]:
        _last_used[key] = time.monotonic()
        return snap, held[1]
    con = _connection_for(snap)
    cur = con.cursor()
    # drop this thread's cursors on versions we no longer hold
    for k in [k for k in cursors if k not in _conns]:
        cursors.pop(k, None)
    cursors[key] = (con, cur)
    return snap, cur


# What a DuckDB connection says once it is dead: a fatal or internal error invalidates the database instance
# ("database has been invalidated because of a previous fatal error"), and a closed connection stays closed.
DEAD_ERRORS = (duckdb.FatalException, duckdb.InternalException, duckdb.ConnectionException)


def is_dead(exc: BaseException) -> bool:
    return isinstance(exc, DEAD_ERRORS) or (isinstance(exc, duckdb.Error) and "invalidated" in str(exc))


def discard(snap: snapshots.Snapshot) -> None:
    """Drop this process's connection to a snapshot after it died, so the next reader() opens a fresh one.
    Without this, every later query would fail on the dead connection until a new version is published."""
    with _lock:
        _close(str(snap.path))
    cursors = getattr(_local, "cursors", None) or {}
    cursors.pop(str(snap.path), None)


def data_version() -> str:
    """Cache key for everything derived from the data: the pinned snapshot's version inside a pinned run."""
    return _resolve().version


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
        _pins.clear()
    _local.cursors = {}
    _local.pin = None
